//! `DetourGuard`, as in mirrord/layer/src/detour.rs: a thread-local bypass flag.
//!
//! While a guard is alive on a thread, every guarded hook on that thread calls libc directly
//! (mirrord's `#[hook_guard_fn]`). The flag lives in TLS, which a vfork child shares with the
//! parent thread it borrowed: that is the whole bug this lab reproduces.

use std::cell::Cell;

thread_local! {
    // `const` init and no destructor: a plain `#[thread_local]` slot, no lazy registration and
    // no allocation, so it can be touched from a vfork child.
    pub(crate) static DETOUR_BYPASS: Cell<bool> = const { Cell::new(false) };
}

/// Sets the bypass flag for its lifetime; clears it on drop.
pub struct DetourGuard(());

impl DetourGuard {
    /// `None` when the flag is already set on this thread (the caller must bypass), as upstream.
    #[allow(clippy::new_ret_no_self)]
    pub fn new() -> Option<DetourGuard> {
        DETOUR_BYPASS.with(|flag| {
            if flag.get() {
                None
            } else {
                flag.set(true);
                Some(DetourGuard(()))
            }
        })
    }
}

impl Drop for DetourGuard {
    fn drop(&mut self) {
        DETOUR_BYPASS.with(|flag| flag.set(false));
    }
}

/// Whether hooks on this thread are being bypassed right now.
pub fn bypass_is_set() -> bool {
    DETOUR_BYPASS.with(|flag| flag.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_guard_on_same_thread_is_refused_until_first_drops() {
        let first = DetourGuard::new();
        assert!(first.is_some());
        assert!(bypass_is_set());
        assert!(DetourGuard::new().is_none());
        drop(first);
        assert!(!bypass_is_set());
        assert!(DetourGuard::new().is_some());
        assert!(!bypass_is_set(), "temporary guard dropped at end of statement");
    }

    #[test]
    fn forgotten_guard_leaves_flag_set_forever() {
        std::mem::forget(DetourGuard::new());
        assert!(bypass_is_set());
        assert!(DetourGuard::new().is_none());
        DETOUR_BYPASS.with(|flag| flag.set(false));
    }

    #[test]
    fn flag_is_per_thread() {
        let _held = DetourGuard::new().expect("fresh thread has no guard");
        let other = std::thread::spawn(|| (bypass_is_set(), DetourGuard::new().is_some()))
            .join()
            .unwrap();
        assert_eq!(other, (false, true));
        assert!(bypass_is_set());
    }
}
