//! Family contacts (家属联系人): relatives a resident names to act for their household when
//! the resident has no phone (issue 21). The domain owns the `family_contact` rows, their
//! encrypted phones, the contact's own login (the `family_contact` role on the household,
//! tied to the row) and the rule other domains ask before letting a contact act: the row
//! must be current and its flag for that act set, checked at the time of the act, so a
//! removed contact or a cleared flag stops at once.

pub mod access;
pub mod account;
pub mod contacts;
pub mod follow;
pub mod graphql;
pub mod loaders;
pub mod phone;
pub mod types;
