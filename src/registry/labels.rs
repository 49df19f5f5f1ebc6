//! How a place is written for people: 23号楼1单元101. Building numbers are stored as
//! communities write them ("3号楼", "5栋", "23", "A座"); a bare number gets 号楼 so that
//! building 23 unit 1 never reads like building 231, and the unit is always followed by
//! 单元 before the room.

use std::borrow::Cow;

/// Suffixes that already say "building" (号楼, 栋, 幢, 座, 楼, 号).
const BUILDING_SUFFIXES: [&str; 6] = ["号楼", "栋", "幢", "座", "楼", "号"];

/// A building as written on a label: "23" → "23号楼", "5栋" stays "5栋".
pub fn building(number: &str) -> Cow<'_, str> {
    let number = number.trim();
    if BUILDING_SUFFIXES.iter().any(|s| number.ends_with(s)) {
        Cow::Borrowed(number)
    } else {
        Cow::Owned(format!("{number}号楼"))
    }
}

/// A unit of a building, as public ledgers show a household: 23号楼1单元.
pub fn unit(building_number: &str, unit: i32) -> String {
    format!("{}{unit}单元", building(building_number))
}

/// A dwelling: 23号楼1单元101.
pub fn dwelling(building_number: &str, unit_number: i32, room: &str) -> String {
    format!("{}{}", unit(building_number, unit_number), room.trim())
}

/// A person as the public or a neighbour sees them: the surname (王**).
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => format!("{first}{}", "*".repeat(chars.count().clamp(1, 3))),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_cannot_be_confused_whatever_the_building_number() {
        // Building 23 unit 1 and building 231 had both read "231单元".
        assert_eq!(unit("23", 1), "23号楼1单元");
        assert_eq!(unit("231", 1), "231号楼1单元");
        assert_ne!(unit("23", 11), unit("231", 1));
        assert_eq!(unit("1", 1), "1号楼1单元");
        assert_eq!(dwelling("3号楼", 2, "301"), "3号楼2单元301");
        assert_eq!(dwelling("5栋", 2, "1201"), "5栋2单元1201");
        assert_eq!(dwelling(" A座 ", 1, " 101 "), "A座1单元101");
        assert_eq!(dwelling("B", 1, "101"), "B号楼1单元101");
    }
}
