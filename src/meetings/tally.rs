//! Counting a motion's ballots (ARCHITECTURE.md §5), exactly: integer cross-multiplication,
//! never a division or a float, so "exactly two thirds" is exactly two thirds.
//!
//! - Households (consultation): one ballot per household; passes with more yes than half
//!   the ballots cast (an abstention is a ballot cast).
//! - Owners (Civil Code art. 278): participation must reach 2/3 of the area and 2/3 of the
//!   heads; the motion passes with > 1/2 (ordinary) or >= 3/4 (special) of the participating
//!   area and of the participating heads. Abstentions participate.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Electorate {
    Households,
    Owners,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Majority {
    /// More yes than half the ballots cast (households).
    Simple,
    /// Art. 278 ordinary matters, e.g. using the repair fund: > 1/2.
    Ordinary,
    /// Art. 278 special matters (raising a fund, rebuilding, common parts): >= 3/4.
    Special,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Choice {
    Yes,
    No,
    Abstain,
}

/// Heads and area (hundredths of m²).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub heads: i64,
    pub area: i64,
}

impl Counts {
    fn add(&mut self, heads: i64, area: i64) {
        self.heads += heads;
        self.area += area;
    }
}

/// A condition a motion must meet; a failed result lists the ones it missed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Condition {
    ParticipationArea,
    ParticipationHeads,
    MajorityArea,
    MajorityHeads,
    MajorityOfBallots,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tally {
    pub eligible: Counts,
    pub participating: Counts,
    pub yes: Counts,
    pub no: Counts,
    pub abstain: Counts,
    pub passed: bool,
    pub failed: Vec<Condition>,
}

/// One voting unit: its heads, its area and its ballot, if cast.
pub struct Unit {
    pub heads: i64,
    pub area: i64,
    pub ballot: Option<Choice>,
}

/// `part * den >= whole * num`, without overflow.
fn at_least(part: i64, whole: i64, num: i128, den: i128) -> bool {
    i128::from(part) * den >= i128::from(whole) * num
}

/// `part * den > whole * num`.
fn more_than(part: i64, whole: i64, num: i128, den: i128) -> bool {
    i128::from(part) * den > i128::from(whole) * num
}

pub fn tally(electorate: Electorate, majority: Majority, units: &[Unit]) -> Tally {
    let mut t = Tally {
        eligible: Counts::default(),
        participating: Counts::default(),
        yes: Counts::default(),
        no: Counts::default(),
        abstain: Counts::default(),
        passed: false,
        failed: Vec::new(),
    };
    for unit in units {
        t.eligible.add(unit.heads, unit.area);
        let Some(choice) = unit.ballot else { continue };
        t.participating.add(unit.heads, unit.area);
        match choice {
            Choice::Yes => t.yes.add(unit.heads, unit.area),
            Choice::No => t.no.add(unit.heads, unit.area),
            Choice::Abstain => t.abstain.add(unit.heads, unit.area),
        }
    }
    let (part, yes) = (t.participating, t.yes);
    let mut check = |ok: bool, condition| {
        if !ok {
            t.failed.push(condition);
        }
    };
    match (electorate, majority) {
        (Electorate::Households, _) | (_, Majority::Simple) => {
            check(
                more_than(yes.heads, part.heads, 1, 2),
                Condition::MajorityOfBallots,
            );
        }
        (Electorate::Owners, majority) => {
            let eligible = t.eligible;
            check(
                at_least(part.area, eligible.area, 2, 3),
                Condition::ParticipationArea,
            );
            check(
                at_least(part.heads, eligible.heads, 2, 3),
                Condition::ParticipationHeads,
            );
            let passes = |yes: i64, part: i64| match majority {
                Majority::Special => at_least(yes, part, 3, 4) && yes > 0,
                _ => more_than(yes, part, 1, 2),
            };
            check(passes(yes.area, part.area), Condition::MajorityArea);
            check(passes(yes.heads, part.heads), Condition::MajorityHeads);
        }
    }
    t.passed = t.failed.is_empty();
    t
}

#[cfg(test)]
mod tests {
    use super::{Choice::*, Condition::*, *};

    /// `n` units of one head and `area` each, with the given ballots then no ballot.
    fn units(spec: &[(usize, i64, Option<Choice>)]) -> Vec<Unit> {
        spec.iter()
            .flat_map(|&(n, area, ballot)| {
                (0..n).map(move |_| Unit {
                    heads: 1,
                    area,
                    ballot,
                })
            })
            .collect()
    }

    fn owners(majority: Majority, spec: &[(usize, i64, Option<Choice>)]) -> Tally {
        tally(Electorate::Owners, majority, &units(spec))
    }

    #[test]
    fn exactly_two_thirds_participation_is_enough_and_one_head_fewer_is_not() {
        // 9 owners of 100 m²: 6 take part (exactly 2/3), all yes.
        let t = owners(
            Majority::Ordinary,
            &[(6, 10_000, Some(Yes)), (3, 10_000, None)],
        );
        assert!(t.passed, "{t:?}");
        assert_eq!(
            t.participating,
            Counts {
                heads: 6,
                area: 60_000
            }
        );
        let t = owners(
            Majority::Ordinary,
            &[(5, 10_000, Some(Yes)), (4, 10_000, None)],
        );
        assert_eq!(t.failed, vec![ParticipationArea, ParticipationHeads]);
    }

    #[test]
    fn area_and_heads_fail_separately() {
        // Six small flats take part, three large ones do not: heads reach 2/3, area not.
        let t = owners(
            Majority::Ordinary,
            &[(6, 5_000, Some(Yes)), (3, 20_000, None)],
        );
        assert_eq!(t.failed, vec![ParticipationArea]);
        // Two large flats take part, four small ones do not: area reaches 2/3, heads not.
        let t = owners(
            Majority::Ordinary,
            &[(2, 40_000, Some(Yes)), (4, 5_000, None)],
        );
        assert_eq!(t.failed, vec![ParticipationHeads]);
    }

    #[test]
    fn special_matters_need_three_quarters_ordinary_more_than_half() {
        // 4 of 4 take part: 3 yes, 1 no is exactly 3/4.
        let spec = [(3, 10_000, Some(Yes)), (1, 10_000, Some(No))];
        assert!(owners(Majority::Special, &spec).passed);
        // 5 take part, 3 yes: 60% is more than half, less than 3/4.
        let spec = [(3, 10_000, Some(Yes)), (2, 10_000, Some(No))];
        assert!(owners(Majority::Ordinary, &spec).passed);
        assert_eq!(
            owners(Majority::Special, &spec).failed,
            vec![MajorityArea, MajorityHeads]
        );
        // Exactly half is not more than half.
        let spec = [(2, 10_000, Some(Yes)), (2, 10_000, Some(No))];
        assert_eq!(
            owners(Majority::Ordinary, &spec).failed,
            vec![MajorityArea, MajorityHeads]
        );
    }

    #[test]
    fn abstentions_participate_and_count_against_the_majority() {
        // 3 of 3 take part: 1 yes, 2 abstain; participation is met, the majority is not.
        let t = owners(
            Majority::Ordinary,
            &[(1, 10_000, Some(Yes)), (2, 10_000, Some(Abstain))],
        );
        assert_eq!(t.failed, vec![MajorityArea, MajorityHeads]);
        assert_eq!(
            t.abstain,
            Counts {
                heads: 2,
                area: 20_000
            }
        );
    }

    #[test]
    fn an_owner_of_three_dwellings_is_one_head_and_three_areas() {
        // One unit of three flats (one head, 300 m²) and two single flats.
        let t = tally(
            Electorate::Owners,
            Majority::Ordinary,
            &[
                Unit {
                    heads: 1,
                    area: 30_000,
                    ballot: Some(Yes),
                },
                Unit {
                    heads: 1,
                    area: 10_000,
                    ballot: Some(No),
                },
                Unit {
                    heads: 1,
                    area: 10_000,
                    ballot: Some(No),
                },
            ],
        );
        assert_eq!(
            t.eligible,
            Counts {
                heads: 3,
                area: 50_000
            }
        );
        // Area: 300 of 500 yes; heads: 1 of 3 yes.
        assert_eq!(t.failed, vec![MajorityHeads]);
    }

    #[test]
    fn households_decide_by_a_simple_majority_of_ballots_cast() {
        let t = tally(
            Electorate::Households,
            Majority::Simple,
            &units(&[(3, 0, Some(Yes)), (2, 0, Some(No)), (40, 0, None)]),
        );
        assert!(t.passed, "no participation threshold for a consultation");
        let t = tally(
            Electorate::Households,
            Majority::Simple,
            &units(&[(2, 0, Some(Yes)), (1, 0, Some(No)), (1, 0, Some(Abstain))]),
        );
        assert_eq!(t.failed, vec![MajorityOfBallots]);
        let t = tally(Electorate::Households, Majority::Simple, &[]);
        assert!(!t.passed, "nobody voted: nothing is decided");
    }

    #[test]
    fn large_compounds_do_not_overflow() {
        let t = owners(
            Majority::Special,
            &[(3, i64::MAX / 8, Some(Yes)), (1, i64::MAX / 8, Some(No))],
        );
        assert!(t.passed);
    }
}
