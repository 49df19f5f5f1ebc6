//! Demo rosters (台账) as a community keeps them in Excel: Chinese headers, fictional people
//! with realistic names, valid ID card numbers, phones, relations and care tags. The same
//! every run. `seed-demo` imports them through the real roster import.

use std::fmt::Write as _;

/// A roster's shape: buildings "1号楼".."N号楼", units, floors, rooms per floor and unit.
pub struct Shape {
    pub buildings: i32,
    pub units: i32,
    pub floors: i32,
    pub rooms: i32,
}

const SURNAMES: [&str; 24] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑", "谢",
];
const GIVEN: [&str; 40] = [
    "秀英", "桂英", "建国", "建华", "志强", "丽", "敏", "静", "伟", "磊", "军", "勇", "洋", "艳",
    "杰", "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂兰", "玉兰", "海燕", "文", "辉",
    "鹏", "红梅", "子涵", "梓萱", "浩然", "一诺", "欣怡", "宇轩", "雨桐", "子轩", "淑珍", "国强",
];

/// A small deterministic generator (a 64-bit LCG): demo data must be the same every run.
struct Dice(u64);

impl Dice {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next(100) < percent
    }
}

/// A valid mainland ID card number (GB 11643) for a birth date and a sequence number; the
/// sequence's parity gives the gender (odd: male).
fn id_number(region: u64, birth: (i32, u32, u32), sequence: u32) -> String {
    let body = format!(
        "{region}{:04}{:02}{:02}{:03}",
        birth.0,
        birth.1,
        birth.2,
        sequence % 1000
    );
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

struct Person {
    name: String,
    male: bool,
    born: (i32, u32, u32),
    relation: &'static str,
    tags: Vec<&'static str>,
    phone: bool,
}

/// A roster of `households` households and exactly `residents` residents in the first
/// dwellings of `shape` (the rest stand empty), as CSV text.
pub fn roster(shape: &Shape, households: usize, residents: usize, seed: u64) -> String {
    let mut dice = Dice(seed);
    let mut out = String::from("姓名,性别,身份证号,联系电话,楼栋,单元,房号,面积,与户主关系,标签\n");
    // Sizes: one in ten lives alone; the rest two, topped up in turn to the total.
    let mut sizes: Vec<usize> = (0..households)
        .map(|i| if i % 10 == 3 { 1 } else { 2 })
        .collect();
    let mut total: usize = sizes.iter().sum();
    let mut i = 0;
    while total < residents && households > 0 {
        if sizes[i % households] > 1 && sizes[i % households] < 6 {
            sizes[i % households] += 1;
            total += 1;
        }
        i += 7;
        if i > households * 50 {
            break;
        }
    }
    let dwellings = (1..=shape.buildings).flat_map(|b| {
        (1..=shape.units).flat_map(move |u| {
            (1..=shape.floors).flat_map(move |f| (1..=shape.rooms).map(move |r| (b, u, f, r)))
        })
    });
    // Even, so that adding the gender bit makes men odd; regions differ by seed so two
    // demo rosters never share a number.
    let mut sequence = u32::try_from(seed % 250).unwrap_or(0) * 2;

    for ((building, unit, floor, room), size) in dwellings.zip(sizes) {
        let surname = SURNAMES[dice.next(SURNAMES.len() as u64) as usize];
        for person in household(&mut dice, surname, size) {
            sequence += 2;
            let gender_bit = u32::from(person.male);
            // Sequence numbers have three digits: big rosters move on to another district.
            let region = 110_100 + (seed % 8 + u64::from(sequence / 1000) * 8) % 100;
            let number = id_number(region, person.born, sequence + gender_bit);
            let phone = if person.phone {
                format!("13{}{:08}", dice.next(10), dice.next(100_000_000))
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "{},{},{},{},{}号楼,{},{}0{},{},{},{}",
                person.name,
                if person.male { "男" } else { "女" },
                number,
                phone,
                building,
                unit,
                floor,
                room,
                floor_area(building, unit, floor, room),
                person.relation,
                person.tags.join("、"),
            );
        }
    }
    out
}

/// A registered floor area (owners' votes count it), from the flat's place rather than the
/// dice so that adding it left the generated people as they were: 58.00 to 127.75 m².
fn floor_area(building: i32, unit: i32, floor: i32, room: i32) -> String {
    let step = (building * 7 + unit * 13 + floor * 3 + room * 29) % 280;
    format!("{}.{:02}", 58 + step / 4, (step % 4) * 25)
}

fn born(dice: &mut Dice, age: u64) -> (i32, u32, u32) {
    let year = 2025 - i32::try_from(age).unwrap_or(40);
    let month = u32::try_from(dice.next(12)).unwrap_or(0) + 1;
    let day = u32::try_from(dice.next(28)).unwrap_or(0) + 1;
    (year, month, day)
}

fn given(dice: &mut Dice) -> &'static str {
    GIVEN[dice.next(GIVEN.len() as u64) as usize]
}

fn household(dice: &mut Dice, surname: &str, size: usize) -> Vec<Person> {
    let mut people = Vec::with_capacity(size);
    let alone = size == 1;
    let head_age = if alone {
        70 + dice.next(20)
    } else {
        32 + dice.next(50)
    };
    let mut head_tags = Vec::new();
    if alone {
        head_tags.push("独居老人");
    }
    for (tag, percent) in [
        ("党员", 9),
        ("退役军人", 4),
        ("残疾人", 3),
        ("低保", 3),
        ("特困", 2),
    ] {
        if dice.chance(percent) {
            head_tags.push(tag);
        }
    }
    let head_male = dice.chance(55);
    people.push(Person {
        name: format!("{surname}{}", given(dice)),
        male: head_male,
        born: born(dice, head_age),
        relation: "户主",
        tags: head_tags,
        phone: true,
    });
    if size >= 2 {
        let age = head_age.saturating_sub(3) + dice.next(6);
        let spouse_surname = SURNAMES[dice.next(SURNAMES.len() as u64) as usize];
        people.push(Person {
            name: format!("{spouse_surname}{}", given(dice)),
            male: !head_male,
            born: born(dice, age),
            relation: "配偶",
            tags: if dice.chance(6) {
                vec!["党员"]
            } else {
                Vec::new()
            },
            phone: dice.chance(80),
        });
    }
    for _ in 2..size {
        let age = head_age.saturating_sub(24 + dice.next(8)).max(1);
        let tags = if age < 16 && dice.chance(8) {
            vec!["留守儿童"]
        } else {
            Vec::new()
        };
        people.push(Person {
            name: format!("{surname}{}", given(dice)),
            male: dice.chance(50),
            born: born(dice, age),
            relation: "子女",
            tags,
            phone: age >= 16,
        });
    }
    people
}

#[cfg(test)]
mod tests {
    use super::{Shape, roster};
    use crate::{
        registry::roster::read_rows,
        tabular::{Format, read},
    };

    #[test]
    fn the_hexun_roster_has_138_households_and_310_valid_residents() {
        let shape = Shape {
            buildings: 6,
            units: 2,
            floors: 6,
            rooms: 2,
        };
        let csv = roster(&shape, 138, 310, 7);
        let table = read(Format::Csv, csv.as_bytes(), 1000).unwrap_or_else(|e| panic!("{e}"));
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
        let (rows, problems) =
            read_rows(&table, today).unwrap_or_else(|e| panic!("{}", e.english()));
        assert!(
            problems.is_empty(),
            "{:?}",
            &problems[..problems.len().min(3)]
        );
        assert_eq!(rows.len(), 310);
        let heads = rows
            .iter()
            .filter(|r| r.resident.relation == crate::registry::resident_fields::Relation::Head)
            .count();
        assert_eq!(heads, 138);
        assert_eq!(roster(&shape, 138, 310, 7), csv, "the same every run");
    }
}
