#!/usr/bin/env python3
"""Runs a command under a seccomp filter that answers EPERM to io_uring_setup, io_uring_enter and
io_uring_register, as Docker's default profile (since moby#46762) and containerd's RuntimeDefault do.
Usage: deny_io_uring.py COMMAND [ARG...]. x86_64 only; the filter survives execve, so the command and every
thread it starts see io_uring refused while every other system call works."""
import ctypes
import os
import platform
import struct
import sys

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
AUDIT_ARCH_X86_64 = 0xC000003E
RET_ALLOW = 0x7FFF0000
RET_EPERM = 0x00050000 | 1  # SECCOMP_RET_ERRNO | EPERM
LD_ABS_W, JEQ_K, RET_K = 0x20, 0x15, 0x06
IO_URING_SETUP, IO_URING_ENTER, IO_URING_REGISTER = 425, 426, 427


def insn(code, jt, jf, k):
    return struct.pack("HBBI", code, jt, jf, k)


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: deny_io_uring.py COMMAND [ARG...]")
    if platform.machine() != "x86_64":
        sys.exit("deny_io_uring.py: only x86_64 system call numbers are known here, not " + platform.machine())
    program = b"".join([
        insn(LD_ABS_W, 0, 0, 4),                  # seccomp_data.arch
        insn(JEQ_K, 1, 0, AUDIT_ARCH_X86_64),
        insn(RET_K, 0, 0, RET_ALLOW),             # another ABI: not ours to judge
        insn(LD_ABS_W, 0, 0, 0),                  # seccomp_data.nr
        insn(JEQ_K, 3, 0, IO_URING_SETUP),
        insn(JEQ_K, 2, 0, IO_URING_ENTER),
        insn(JEQ_K, 1, 0, IO_URING_REGISTER),
        insn(RET_K, 0, 0, RET_ALLOW),
        insn(RET_K, 0, 0, RET_EPERM),
    ])
    filters = ctypes.create_string_buffer(program, len(program))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = SockFprog(len(program) // 8, ctypes.addressof(filters))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, None, 0, 0) != 0:
        sys.exit("prctl(PR_SET_NO_NEW_PRIVS): " + os.strerror(ctypes.get_errno()))
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        sys.exit("prctl(PR_SET_SECCOMP): " + os.strerror(ctypes.get_errno()))
    os.execvp(sys.argv[1], sys.argv[1:])


main()
