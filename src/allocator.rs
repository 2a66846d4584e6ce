//! The binary's memory allocator: mimalloc, told to hand freed memory back
//! to the operating system at once rather than after a delay.
//!
//! A build frees big blocks between its steps (one analysis's order groups
//! before the next is computed, a frame after its CSV is written). With
//! mimalloc's default purge delay those pages stay resident for a while and
//! add up with the next step's, which is what a build's peak memory is made
//! of at 10M rows: purging at once measured 0.90 GB of peak memory against
//! 1.04 GB with mimalloc v3's default delay of one second (BENCHMARKS.md).
//! An explicit `MIMALLOC_PURGE_DELAY` (or its older name
//! `MIMALLOC_RESET_DELAY`) in the environment still wins, for anyone tuning.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay`: the same position in the option
/// lists of both mimalloc versions its sys crate builds (v2 and v3), which
/// name no Rust constant for it.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Purge freed pages immediately unless the environment says otherwise.
pub fn purge_freed_memory_at_once() {
    if !chosen_in_environment() {
        // SAFETY: mimalloc allows setting an option at any time; this one
        // only changes when free pages are given back.
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) };
    }
}

/// Whether the environment sets the purge delay, by either of its names.
/// (mimalloc reads its options from there at process load, so
/// `mi_option_set_default` would come too late to defer to it.)
fn chosen_in_environment() -> bool {
    ["MIMALLOC_PURGE_DELAY", "MIMALLOC_RESET_DELAY"]
        .iter()
        .any(|name| std::env::var_os(name).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_option_set_is_the_purge_delay() {
        if chosen_in_environment() {
            return;
        }
        // SAFETY: reading an option is allowed at any time.
        let get = || unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) };
        // 1000 ms is mimalloc v3's default purge delay (src/options.c; v2's
        // is 10 ms); the options beside it (a deprecated one, NUMA nodes 0)
        // would read otherwise.
        assert_eq!(get(), 1000);
        purge_freed_memory_at_once();
        assert_eq!(get(), 0);
    }
}
