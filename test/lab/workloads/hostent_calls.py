"""Calls libc's gethostbyname family and reports each result as one JSON line to $MIRRORD_REGRESS_REPORT.

No program on this machine calls plain gethostbyname or gethostbyname2_r with a name we choose, and
CPython's own socket module reaches libc through getaddrinfo first. ctypes finds each function the way
a C program's PLT does (first definition in the global scope, where LD_PRELOAD puts the layer), so this
is what a C program calling them would see.

argv: steps, run in order:
  spawn:N                           subprocess.run(["true"]) N times (vfork + execv through the PLT)
  gethostbyname:NAME                gethostbyname2:NAME:AF
  gethostbyname_r:NAME[:BUFLEN]     gethostbyname2_r:NAME:AF[:BUFLEN]
  socket.gethostbyname:NAME         socket.gethostbyname_ex:NAME
"""
import ctypes
import json
import os
import socket
import subprocess
import sys


class Hostent(ctypes.Structure):
    _fields_ = [
        ("h_name", ctypes.c_char_p),
        ("h_aliases", ctypes.POINTER(ctypes.c_char_p)),
        ("h_addrtype", ctypes.c_int),
        ("h_length", ctypes.c_int),
        ("h_addr_list", ctypes.POINTER(ctypes.POINTER(ctypes.c_ubyte))),
    ]


P = ctypes.POINTER(Hostent)
libc = ctypes.CDLL(None, use_errno=True)
libc.gethostbyname.restype = P
libc.gethostbyname.argtypes = [ctypes.c_char_p]
libc.gethostbyname2.restype = P
libc.gethostbyname2.argtypes = [ctypes.c_char_p, ctypes.c_int]
R_ARGS = [P, ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(P), ctypes.POINTER(ctypes.c_int)]
libc.gethostbyname_r.argtypes = [ctypes.c_char_p] + R_ARGS
libc.gethostbyname2_r.argtypes = [ctypes.c_char_p, ctypes.c_int] + R_ARGS
libc.__h_errno_location.restype = ctypes.POINTER(ctypes.c_int)
h_errno = libc.__h_errno_location


def decode(h):
    addrs, aliases, i = [], [], 0
    while h.h_addr_list[i]:
        addrs.append(".".join(str(h.h_addr_list[i][k]) for k in range(h.h_length)))
        i += 1
    i = 0
    while h.h_aliases[i]:
        aliases.append(h.h_aliases[i].decode())
        i += 1
    return {"h_name": h.h_name.decode(), "addrtype": h.h_addrtype, "length": h.h_length, "addrs": addrs, "aliases": aliases}


def plain(fn, name, *af):
    h_errno()[0] = 0
    p = fn(name.encode(), *af)
    if not p:
        return {"ok": False, "h_errno": h_errno()[0]}
    return {"ok": True, **decode(p.contents)}


def reentrant(fn, name, af, buflen):
    ret, buf, res, herr = Hostent(), ctypes.create_string_buffer(buflen), P(), ctypes.c_int(0)
    ctypes.set_errno(0)
    rc = fn(name.encode(), *af, ctypes.byref(ret), buf, buflen, ctypes.byref(res), ctypes.byref(herr))
    out = {"ok": bool(res), "rc": rc, "h_errno": herr.value, "errno": ctypes.get_errno()}
    if res:
        out.update(decode(res.contents))
        out["in_caller_storage"] = ctypes.addressof(res.contents) == ctypes.addressof(ret)
    return out


def python_socket(fn, name):
    try:
        return {"ok": True, "result": repr(fn(name))}
    except OSError as e:
        return {"ok": False, "error": type(e).__name__, "message": str(e)}


def run(step):
    call, *rest = step.split(":")
    if call == "spawn":
        for _ in range(int(rest[0])):
            subprocess.run(["true"], check=True)
        return {"ok": True, "children": int(rest[0])}
    name = rest[0]
    if call == "gethostbyname":
        return plain(libc.gethostbyname, name)
    if call == "gethostbyname2":
        return plain(libc.gethostbyname2, name, int(rest[1]))
    if call == "gethostbyname_r":
        return reentrant(libc.gethostbyname_r, name, (), int(rest[1]) if len(rest) > 1 else 1024)
    if call == "gethostbyname2_r":
        return reentrant(libc.gethostbyname2_r, name, (int(rest[1]),), int(rest[2]) if len(rest) > 2 else 1024)
    if call == "socket.gethostbyname":
        return python_socket(socket.gethostbyname, name)
    if call == "socket.gethostbyname_ex":
        return python_socket(socket.gethostbyname_ex, name)
    raise SystemExit(f"unknown step {step!r}")


path = os.environ.get("MIRRORD_REGRESS_REPORT")
with open(path, "a") if path else sys.stdout as report:
    for index, step in enumerate(sys.argv[1:]):
        call, *rest = step.split(":")
        line = {"step": call, "index": index, **({} if call == "spawn" else {"host": rest[0]}), **run(step)}
        report.write(json.dumps(line) + "\n")
        report.flush()
