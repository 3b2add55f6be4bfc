#!/usr/bin/env bash
# `make lab-clean` (as root): removes what an interrupted lab run left behind: namespaces
# lab<PID>-{h,r1,r5,c,br} whose shell <PID> is gone (with whatever still runs inside them), and
# the lab's work directories once no lab runs. A lab that is still running is left alone.
set -u
running=0
removed=0
for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^lab[0-9]+-(h|r1|r5|c|br)$'); do
  pid=${ns#lab}
  pid=${pid%%-*}
  if [ -d "/proc/$pid" ]; then
    running=1
    continue
  fi
  for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
  ip netns del "$ns" && removed=$((removed + 1))
done
if [ $running = 0 ]; then
  rm -rf /tmp/vipa-lab.*
fi
echo "lab-clean: removed $removed namespace(s)$([ $running = 1 ] && echo '; a lab is still running, its namespaces kept')"
