"""Argon2id password hashes for test users, made with the system libsodium (ctypes).

The hash is the standard "$argon2id$v=19$m=...,t=...,p=1$salt$hash" string that
crypto_pwhash_str_verify (the edge's check) accepts. Tests use small cost parameters so AUTH
stays fast; the parameters travel inside the string.
"""
import ctypes
import ctypes.util

_STRBYTES = 128
_OPSLIMIT = 2           # crypto_pwhash_OPSLIMIT_INTERACTIVE; the minimum for Argon2id is 1
_MEMLIMIT = 8 * 1024 * 1024  # 8 MiB (interactive is 64 MiB): fast enough for many AUTHs

_lib = None


def _sodium():
    global _lib
    if _lib is None:
        name = ctypes.util.find_library("sodium") or "libsodium.so.23"
        lib = ctypes.CDLL(name)
        if lib.sodium_init() < 0:
            raise RuntimeError("sodium_init failed")
        lib.crypto_pwhash_str_alg.argtypes = [ctypes.c_char_p, ctypes.c_char_p,
                                              ctypes.c_ulonglong, ctypes.c_ulonglong,
                                              ctypes.c_size_t, ctypes.c_int]
        lib.crypto_pwhash_str_verify.argtypes = [ctypes.c_char_p, ctypes.c_char_p,
                                                 ctypes.c_ulonglong]
        _lib = lib
    return _lib


def argon2id_hash(password):
    lib = _sodium()
    out = ctypes.create_string_buffer(_STRBYTES)
    pw = password.encode()
    alg = lib.crypto_pwhash_alg_argon2id13()
    if lib.crypto_pwhash_str_alg(out, pw, len(pw), _OPSLIMIT, _MEMLIMIT, alg) != 0:
        raise RuntimeError("crypto_pwhash_str_alg failed")
    return out.value.decode()


def verify(hash_string, password):
    pw = password.encode()
    return _sodium().crypto_pwhash_str_verify(hash_string.encode(), pw, len(pw)) == 0
