//! Quantiles of measured values (frame times, latencies, a check's readings): the nearest rank, so a
//! reported value is one that was measured.

/// The value at quantile `q` (0 to 1) of values already sorted ascending; `None` when there are none.
pub fn of_sorted<T: Copy>(sorted: &[T], q: f64) -> Option<T> {
    let last = sorted.len().checked_sub(1)?;
    sorted.get((last as f64 * q.clamp(0.0, 1.0)).round() as usize).copied()
}

/// Sorts `xs` and gives the value at each quantile of `qs` (0 for each when `xs` is empty).
pub fn quantiles<const N: usize>(xs: &mut [f64], qs: [f64; N]) -> [f64; N] {
    xs.sort_by(f64::total_cmp);
    qs.map(|q| of_sorted(xs, q).unwrap_or(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_of_what_was_measured() {
        let mut xs = [5.0, 1.0, 4.0, 2.0, 3.0];
        assert_eq!(quantiles(&mut xs, [0.0, 0.5, 0.95, 1.0]), [1.0, 3.0, 5.0, 5.0]);
        // An even count takes the upper of the middle two.
        assert_eq!(quantiles(&mut [4.0, 1.0, 3.0, 2.0], [0.5]), [3.0]);
        assert_eq!(of_sorted(&[1.0f32, 2.0], 0.25), Some(1.0));
        assert_eq!(of_sorted::<f64>(&[], 0.5), None);
        assert_eq!(quantiles(&mut [], [0.5, 0.95]), [0.0, 0.0]);
    }
}
