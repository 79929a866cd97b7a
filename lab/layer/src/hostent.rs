//! The `gethostbyname` family: `gethostbyname`, `gethostbyname2`, `gethostbyname_r` and
//! `gethostbyname2_r`, hooked like `getaddrinfo` (mirrord 3.112.0 hooks `gethostbyname` too when
//! remote DNS is on). They share dns.rs's routing, so one leaked guard bypasses all of them alike.
//!
//! A cluster name comes back as glibc would build it: AF_INET, one 4-byte address, no aliases.
//! The cluster answers A records only, so an AF_INET6 lookup of a name it knows is NO_DATA, and a
//! name it does not know is HOST_NOT_FOUND.
//!
//! Which programs call which (measured): Perl's `gethostbyname` calls `gethostbyname_r` (threaded
//! build), `getent hosts` calls `gethostbyname2` (AF_INET6 first, then AF_INET), and CPython's
//! `socket.gethostbyname` calls `getaddrinfo`.

use crate::dns::{self, Answer, Route};
use crate::real::real;
use crate::sys::{self, c_char, c_int, hostent};
use std::cell::UnsafeCell;
use std::net::Ipv4Addr;
use std::ptr::null_mut;

/// Room for the non-reentrant variants' result. Names longer than DNS allows (253 bytes) cannot
/// be in the cluster, so a fixed size is enough where glibc grows its buffer.
const STATIC_BUF_WORDS: usize = 64;

/// What `gethostbyname` returns a pointer to: per thread, overwritten by the next call, as
/// glibc's own static result is.
struct StaticResult {
    ent: hostent,
    buf: [u64; STATIC_BUF_WORDS],
}

thread_local! {
    // `const` and no destructor: a plain TLS slot, nothing registered or allocated on first use.
    static STATIC_RESULT: UnsafeCell<StaticResult> = const {
        UnsafeCell::new(StaticResult {
            ent: hostent { h_name: null_mut(), h_aliases: null_mut(), h_addrtype: 0, h_length: 0, h_addr_list: null_mut() },
            buf: [0; STATIC_BUF_WORDS],
        })
    };
}

/// Bytes `fill_hostent` needs in a buffer starting at `buf` for a name of `name_len` bytes.
pub fn needed(buf: *const c_char, name_len: usize) -> usize {
    let word = std::mem::size_of::<*mut c_char>();
    // The alias list [NULL] and the address list [addr, NULL], then the address, then the name.
    buf.align_offset(std::mem::align_of::<*mut c_char>()) + 3 * word + 4 + name_len + 1
}

/// Writes a one-address AF_INET `hostent` for `name` into `ret`, everything it points to into
/// `buf`. `Err(())` when `buflen` is too small: the caller reports ERANGE, as glibc does.
pub unsafe fn fill_hostent(ret: *mut hostent, buf: *mut c_char, buflen: usize, name: &[u8], ip: Ipv4Addr) -> Result<(), ()> {
    if ret.is_null() || buf.is_null() || buflen < needed(buf, name.len()) {
        return Err(());
    }
    let lists = buf.add(buf.align_offset(std::mem::align_of::<*mut c_char>())) as *mut *mut c_char;
    let aliases = lists;
    let addrs = lists.add(1);
    let addr = lists.add(3) as *mut u8;
    let h_name = addr.add(4);
    aliases.write(null_mut());
    // Network byte order is the octets in order.
    std::ptr::copy_nonoverlapping(ip.octets().as_ptr(), addr, 4);
    addrs.write(addr as *mut c_char);
    addrs.add(1).write(null_mut());
    std::ptr::copy_nonoverlapping(name.as_ptr(), h_name, name.len());
    h_name.add(name.len()).write(0);
    ret.write(hostent {
        h_name: h_name as *mut c_char,
        h_aliases: aliases,
        h_addrtype: sys::AF_INET,
        h_length: 4,
        h_addr_list: addrs,
    });
    Ok(())
}

/// The intproxy's answer as a lookup for family `af` sees it: the address, or the h_errno value.
pub fn a_record(answer: Answer, af: c_int) -> Result<Ipv4Addr, c_int> {
    match answer {
        Answer::NoSuchName => Err(sys::HOST_NOT_FOUND),
        Answer::Failed => Err(sys::TRY_AGAIN),
        // The name exists, but not with an address of that family.
        Answer::Addr(_) if af != sys::AF_INET => Err(sys::NO_DATA),
        Answer::Addr(ip) => Ok(ip),
    }
}

/// Families the cluster can be asked about; glibc alone reports the others (EAFNOSUPPORT).
fn remote_family(af: c_int) -> bool {
    af == sys::AF_INET || af == sys::AF_INET6
}

/// `gethostbyname` / `gethostbyname2`: the result lives in per-thread static storage.
unsafe fn by_name(hook: &str, node: *const c_char, af: c_int, real: impl FnOnce() -> *mut hostent) -> *mut hostent {
    let _guard = match dns::route(hook, node, remote_family(af), |l| {
        l.int("af", af as i64);
    }) {
        Route::Bypassed => return real(),
        Route::Local(_guard) => return real(),
        Route::Remote(guard) => guard,
    };
    let name = sys::cstr_bytes(node);
    let (reply, answer) = dns::ask_intproxy(name);
    let (ent, h_errno) = match a_record(answer, af) {
        Ok(ip) => STATIC_RESULT.with(|cell| {
            let result = cell.get();
            let buf = (*result).buf.as_mut_ptr() as *mut c_char;
            match fill_hostent(&mut (*result).ent, buf, STATIC_BUF_WORDS * 8, name, ip) {
                Ok(()) => (&mut (*result).ent as *mut hostent, 0),
                Err(()) => (null_mut(), sys::NO_RECOVERY),
            }
        }),
        Err(h_errno) => (null_mut(), h_errno),
    };
    dns::log_remote(hook, name, &reply, |l| {
        l.int("af", af as i64).int("h_errno", h_errno as i64);
    });
    if ent.is_null() {
        sys::set_h_errno(h_errno);
    }
    ent
}

/// `gethostbyname_r` / `gethostbyname2_r`: the result goes into the caller's `ret` and `buf`.
/// Returns 0 (with `*result` NULL and `*h_errnop` set when not found) or ERANGE, as glibc does.
#[allow(clippy::too_many_arguments)]
unsafe fn by_name_r(
    hook: &str,
    node: *const c_char,
    af: c_int,
    ret: *mut hostent,
    buf: *mut c_char,
    buflen: usize,
    result: *mut *mut hostent,
    h_errnop: *mut c_int,
    real: impl FnOnce() -> c_int,
) -> c_int {
    let _guard = match dns::route(hook, node, remote_family(af), |l| {
        l.int("af", af as i64);
    }) {
        Route::Bypassed => return real(),
        Route::Local(_guard) => return real(),
        Route::Remote(guard) => guard,
    };
    let name = sys::cstr_bytes(node);
    let (reply, answer) = dns::ask_intproxy(name);
    let (rc, h_errno) = match a_record(answer, af) {
        Ok(ip) => match fill_hostent(ret, buf, buflen, name, ip) {
            Ok(()) => (0, 0),
            Err(()) => (sys::ERANGE, sys::NETDB_INTERNAL),
        },
        Err(h_errno) => (0, h_errno),
    };
    dns::log_remote(hook, name, &reply, |l| {
        l.int("af", af as i64).int("h_errno", h_errno as i64).int("rc", rc as i64);
    });
    if !result.is_null() {
        *result = if rc == 0 && h_errno == 0 { ret } else { null_mut() };
    }
    if h_errno != 0 {
        if !h_errnop.is_null() {
            *h_errnop = h_errno;
        }
        // glibc's DNS module leaves the global set as well, and Perl's `$?` and CPython's
        // socket.herror read the global, not `*h_errnop`.
        sys::set_h_errno(h_errno);
    }
    if rc != 0 {
        sys::set_errno(rc);
    }
    rc
}

#[cfg(not(test))]
#[no_mangle]
pub unsafe extern "C" fn gethostbyname(name: *const c_char) -> *mut hostent {
    by_name("gethostbyname", name, sys::AF_INET, || (real().gethostbyname)(name))
}

#[cfg(not(test))]
#[no_mangle]
pub unsafe extern "C" fn gethostbyname2(name: *const c_char, af: c_int) -> *mut hostent {
    by_name("gethostbyname2", name, af, || (real().gethostbyname2)(name, af))
}

#[cfg(not(test))]
#[no_mangle]
pub unsafe extern "C" fn gethostbyname_r(
    name: *const c_char,
    ret: *mut hostent,
    buf: *mut c_char,
    buflen: usize,
    result: *mut *mut hostent,
    h_errnop: *mut c_int,
) -> c_int {
    by_name_r("gethostbyname_r", name, sys::AF_INET, ret, buf, buflen, result, h_errnop, || {
        (real().gethostbyname_r)(name, ret, buf, buflen, result, h_errnop)
    })
}

#[cfg(not(test))]
#[no_mangle]
pub unsafe extern "C" fn gethostbyname2_r(
    name: *const c_char,
    af: c_int,
    ret: *mut hostent,
    buf: *mut c_char,
    buflen: usize,
    result: *mut *mut hostent,
    h_errnop: *mut c_int,
) -> c_int {
    by_name_r("gethostbyname2_r", name, af, ret, buf, buflen, result, h_errnop, || {
        (real().gethostbyname2_r)(name, af, ret, buf, buflen, result, h_errnop)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    unsafe fn read(ent: &hostent) -> (Vec<u8>, Vec<Vec<u8>>, usize) {
        let name = std::ffi::CStr::from_ptr(ent.h_name).to_bytes().to_vec();
        let mut addrs = Vec::new();
        let mut p = ent.h_addr_list;
        while !(*p).is_null() {
            addrs.push(std::slice::from_raw_parts(*p as *const u8, ent.h_length as usize).to_vec());
            p = p.add(1);
        }
        let mut aliases = 0;
        while !(*ent.h_aliases.add(aliases)).is_null() {
            aliases += 1;
        }
        (name, addrs, aliases)
    }

    fn empty() -> hostent {
        hostent { h_name: null_mut(), h_aliases: null_mut(), h_addrtype: 0, h_length: 0, h_addr_list: null_mut() }
    }

    #[test]
    fn fills_a_one_address_inet_hostent_inside_the_buffer() {
        let name = b"db.default.svc.cluster.local";
        let mut buf = [0u8; 128];
        let mut ent = empty();
        unsafe {
            fill_hostent(&mut ent, buf.as_mut_ptr() as *mut c_char, buf.len(), name, Ipv4Addr::new(10, 96, 0, 10)).unwrap();
            assert_eq!((ent.h_addrtype, ent.h_length), (sys::AF_INET, 4));
            assert_eq!(read(&ent), (name.to_vec(), vec![vec![10, 96, 0, 10]], 0));
            let range = buf.as_ptr_range();
            for p in [ent.h_name as *const u8, ent.h_aliases as *const u8, ent.h_addr_list as *const u8] {
                assert!(range.contains(&p), "everything the hostent points to is in the caller's buffer");
            }
        }
    }

    #[test]
    fn too_small_a_buffer_is_refused_at_every_alignment_and_never_written() {
        let name = b"api.default.svc.cluster.local";
        let mut backing = [0xaau8; 160];
        for skew in 0..8 {
            let buf = unsafe { backing.as_mut_ptr().add(skew) } as *mut c_char;
            let need = needed(buf, name.len());
            let mut ent = empty();
            unsafe {
                assert!(fill_hostent(&mut ent, buf, need - 1, name, Ipv4Addr::new(10, 96, 0, 11)).is_err());
                assert!(ent.h_name.is_null());
            }
            assert!(backing.iter().all(|&b| b == 0xaa));
            unsafe {
                fill_hostent(&mut ent, buf, need, name, Ipv4Addr::new(10, 96, 0, 11)).unwrap();
                assert_eq!(ent.h_addr_list as usize % std::mem::align_of::<*mut c_char>(), 0);
                assert_eq!(read(&ent).1, vec![vec![10, 96, 0, 11]]);
            }
            backing = [0xaa; 160];
        }
    }

    #[test]
    fn cluster_answers_map_to_h_errno() {
        let ip = Ipv4Addr::new(10, 96, 0, 12);
        assert_eq!(a_record(Answer::Addr(ip), sys::AF_INET), Ok(ip));
        assert_eq!(a_record(Answer::Addr(ip), sys::AF_INET6), Err(sys::NO_DATA));
        assert_eq!(a_record(Answer::NoSuchName, sys::AF_INET), Err(sys::HOST_NOT_FOUND));
        assert_eq!(a_record(Answer::NoSuchName, sys::AF_INET6), Err(sys::HOST_NOT_FOUND));
        assert_eq!(a_record(Answer::Failed, sys::AF_INET), Err(sys::TRY_AGAIN));
    }

    #[test]
    fn static_storage_holds_the_longest_dns_name() {
        let name = [b'a'; 253];
        let mut r = StaticResult { ent: empty(), buf: [0; STATIC_BUF_WORDS] };
        let buf = r.buf.as_mut_ptr() as *mut c_char;
        unsafe { fill_hostent(&mut r.ent, buf, STATIC_BUF_WORDS * 8, &name, Ipv4Addr::new(10, 96, 0, 1)).unwrap() };
    }
}
