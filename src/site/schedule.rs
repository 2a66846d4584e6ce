//! Running a build's reports side by side: the costliest first (so that no
//! long report starts last and runs alone), as many at a time as there are
//! threads, and no more at a time than their estimated memory allows. Each
//! report still spreads its own work over every thread.

use std::sync::{Condvar, Mutex, PoisonError};

/// `run` applied to every item's position, in item order. Items start by descending
/// `cost`; one starts only when the costs of those running plus its own
/// stay within `budget`, or when nothing else runs.
pub fn costliest_first<T: Sync, R: Send>(
    items: &[T],
    cost: impl Fn(&T) -> u64,
    budget: u64,
    workers: usize,
    run: impl Fn(usize) -> R + Sync,
) -> Vec<R> {
    let costs: Vec<u64> = items.iter().map(&cost).collect();
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| costs[b].cmp(&costs[a]).then(a.cmp(&b)));
    let state = Mutex::new(State {
        next: 0,
        running: 0,
        in_use: 0,
    });
    let changed = Condvar::new();
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..workers.clamp(1, items.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let Some(i) = take_next(&state, &changed, &order, &costs, budget) else {
                        return;
                    };
                    let result = run(i);
                    results.lock().unwrap_or_else(PoisonError::into_inner)[i] = Some(result);
                    let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
                    s.running -= 1;
                    s.in_use -= costs[i];
                    changed.notify_all();
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .into_iter()
        .flatten()
        .collect()
}

struct State {
    /// Position in the cost order of the next item to start.
    next: usize,
    running: usize,
    in_use: u64,
}

/// The next item to run once the budget allows it, or `None` when all
/// have started.
fn take_next(
    state: &Mutex<State>,
    changed: &Condvar,
    order: &[usize],
    costs: &[u64],
    budget: u64,
) -> Option<usize> {
    let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
    loop {
        let &i = order.get(s.next)?;
        if s.running == 0 || s.in_use.saturating_add(costs[i]) <= budget {
            s.next += 1;
            s.running += 1;
            s.in_use += costs[i];
            return Some(i);
        }
        s = changed.wait(s).unwrap_or_else(PoisonError::into_inner);
    }
}

/// About half the memory this machine has free (Linux), else no limit.
pub fn memory_budget() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
            let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kib * 1024 / 2)
        })
        .unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

    #[test]
    fn results_keep_item_order_and_costly_items_start_first() {
        let started = Mutex::new(Vec::new());
        let items = [1u64, 5, 3];
        let out = costliest_first(
            &items,
            |c| *c,
            u64::MAX,
            1,
            |i| {
                started.lock().unwrap().push(items[i]);
                items[i] * 10
            },
        );
        assert_eq!(out, [10, 50, 30]);
        assert_eq!(*started.lock().unwrap(), [5, 3, 1]);
    }

    #[test]
    fn the_budget_limits_what_runs_at_once() {
        let (running, peak) = (AtomicU64::new(0), AtomicU64::new(0));
        let done = AtomicUsize::new(0);
        // Budget 10: the 8 and the 6 never run together; an item over the
        // whole budget still runs, alone.
        let items = [8u64, 6, 2, 20];
        costliest_first(
            &items,
            |c| *c,
            10,
            4,
            |i| {
                let c = items[i];
                let now = running.fetch_add(c, Ordering::SeqCst) + c;
                peak.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(20));
                running.fetch_sub(c, Ordering::SeqCst);
                done.fetch_add(1, Ordering::SeqCst);
            },
        );
        assert_eq!(done.load(Ordering::SeqCst), 4);
        assert_eq!(peak.load(Ordering::SeqCst), 20);
        assert!(memory_budget() > 0);
    }
}
