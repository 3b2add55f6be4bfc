#!/bin/sh
# What the lab's telnetd runs instead of login: an echo service. The terminal's own echo is
# off, so each line the client sends comes back exactly once, from cat.
stty -echo 2>/dev/null
echo READY
exec cat
