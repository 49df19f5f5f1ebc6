//! Splitting a cost between households, exactly: the shares always sum to the total, and
//! the rounding fen go to households in a fixed order, so the same input gives the same
//! shares on every run and every machine.

/// Equal shares of `total` fen for `n` households; the first `total % n` get one fen more.
pub fn equal(total: i64, n: usize) -> Vec<i64> {
    let Ok(count) = i64::try_from(n) else {
        return Vec::new();
    };
    if count == 0 {
        return Vec::new();
    }
    let (base, remainder) = (total / count, total % count);
    (0..count)
        .map(|i| base + i64::from(i < remainder))
        .collect()
}

/// Shares of `total` in proportion to `weights` (floor areas in hundredths of m²): each
/// gets the floor of its exact share, and the fen left over go to the largest fractional
/// parts, ties to the earlier household. `None` if the weights sum to zero.
pub fn by_weight(total: i64, weights: &[i64]) -> Option<Vec<i64>> {
    let sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    if sum <= 0 || weights.iter().any(|w| *w < 0) {
        return None;
    }
    let total = i128::from(total);
    let mut shares: Vec<i128> = Vec::with_capacity(weights.len());
    let mut fractions: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let exact = total * i128::from(*w);
        shares.push(exact / sum);
        fractions.push((exact % sum, i));
    }
    let left = total - shares.iter().sum::<i128>();
    // Largest remainder first; equal remainders in household order.
    fractions.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in fractions.iter().take(usize::try_from(left).unwrap_or(0)) {
        shares[*i] += 1;
    }
    shares.into_iter().map(|s| i64::try_from(s).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_households_split_a_200_yuan_drain_repair_50_each() {
        assert_eq!(equal(20_000, 4), vec![5_000; 4]);
    }

    #[test]
    fn rounding_fen_go_first_to_first_and_shares_sum_exactly() {
        assert_eq!(equal(100, 3), vec![34, 33, 33]);
        assert_eq!(equal(0, 2), vec![0, 0]);
        assert!(equal(5, 0).is_empty());
        for total in [1, 99, 10_001, 123_457] {
            for n in 1..12 {
                assert_eq!(equal(total, n).iter().sum::<i64>(), total);
            }
        }
    }

    #[test]
    fn shares_by_area_are_proportional_and_sum_exactly() {
        // 89.50, 76.00 and 102.30 m²: 10,000 fen split by area.
        let shares = by_weight(10_000, &[8_950, 7_600, 10_230]).unwrap_or_default();
        assert_eq!(shares.iter().sum::<i64>(), 10_000);
        assert_eq!(shares, vec![3_342, 2_838, 3_820]);
        assert_eq!(by_weight(1, &[1, 1, 1]), Some(vec![1, 0, 0]));
        assert_eq!(by_weight(100, &[0, 0]), None);
        for total in [7, 1_000, 99_999] {
            let s = by_weight(total, &[3, 5, 7, 11, 13]).unwrap_or_default();
            assert_eq!(s.iter().sum::<i64>(), total);
        }
    }
}
