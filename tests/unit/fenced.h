// Test helper for the netlink decoders: a message in a buffer whose end is fenced off, so that
// a decoder reading past nlmsg_len faults (or, under AddressSanitizer, is reported).
#pragma once

#include <linux/netlink.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>

#if defined(__SANITIZE_ADDRESS__)
#define VIPA_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VIPA_TEST_ASAN 1
#endif
#endif
#if defined(VIPA_TEST_ASAN)
#include <sanitizer/asan_interface.h>
constexpr bool kAsan = true;
#else
#define ASAN_POISON_MEMORY_REGION(a, n) ((void)(a), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(a, n) ((void)(a), (void)(n))
constexpr bool kAsan = false;
#endif

namespace vipa::nltest {

// A message copied to the very end of a readable page, the next page unreadable: a decoder that
// reads past the message faults. nlmsghdr must stay 4-byte aligned, so a length that is not a
// multiple of 4 leaves up to 3 bytes before the page end: they hold kPoison (reading them shows
// up in what is decoded), and under AddressSanitizer they are poisoned, so there the fence is
// exact to the byte for every length.
constexpr unsigned char kPoison = 0xee;
class Fenced {
 public:
  Fenced(const void* data, size_t len, size_t claimed_len = 0) {
    page_ = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    void* m = mmap(nullptr, 2 * page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    base_ = static_cast<unsigned char*>(m);
    mprotect(base_ + page_, page_, PROT_NONE);
    size_t room = (len + 3) & ~size_t{3};
    msg_ = base_ + page_ - room;
    std::memset(msg_, kPoison, room);
    std::memcpy(msg_, data, len);
    reinterpret_cast<nlmsghdr*>(msg_)->nlmsg_len =
        static_cast<uint32_t>(claimed_len ? claimed_len : len);
    tail_ = room - len;
    if (tail_) ASAN_POISON_MEMORY_REGION(msg_ + len, tail_);
  }
  ~Fenced() {
    if (tail_) ASAN_UNPOISON_MEMORY_REGION(base_ + page_ - tail_, tail_);
    munmap(base_, 2 * page_);
  }
  Fenced(const Fenced&) = delete;
  Fenced& operator=(const Fenced&) = delete;
  const nlmsghdr* msg() const { return reinterpret_cast<const nlmsghdr*>(msg_); }

 private:
  size_t page_ = 0;
  size_t tail_ = 0;  // bytes between the message's end and the page's
  unsigned char* base_ = nullptr;
  unsigned char* msg_ = nullptr;
};

}  // namespace vipa::nltest
