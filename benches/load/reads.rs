//! The reads of the performance issue, as jiedao's clients send them and as the same data
//! is asked of PostGraphile. PostGraphile names fields after tables and foreign keys
//! (`householdByCommunityIdAndHouseholdId` for the composite key of ARCHITECTURE.md §2), has
//! no derived care level (it reads the stored `care_level_derived`), shows floor areas as
//! the stored hundredths and balances as fen, and takes IDs as UUIDs (with the community, part
//! of every tenant table's primary key since migration 36); otherwise each pair selects the
//! same rows and columns.

use bytes::Bytes;
use serde_json::{Value, json};

pub const POINT: &str = "query($id: ID!) { resident(id: $id) { id name gender birthDate documentType relation registered movedInOn } }";
const PG_POINT: &str = "query($id: UUID!, $c: UUID!) { residentByIdAndCommunityId(id: $id, communityId: $c) { id name gender birthDate documentType relation registered movedInOn } }";

pub const PAGE: &str = "query($c: ID!) { community(id: $c) { id name } residents(first: 20) { edges { node { id name gender birthDate relation household { id tenure careLevel dwelling { id unit room floorArea } } } } } }";
const PG_PAGE: &str = "query($c: UUID!) { communityById(id: $c) { id name } allResidents(first: 20, condition: {communityId: $c, archivedAt: null}) { nodes { id name gender birthDate relation householdByCommunityIdAndHouseholdId { id tenure careLevelDerived dwellingByCommunityIdAndDwellingId { id unit room floorAreaHundredths } } } } }";

pub const NESTED: &str = "{ households(first: 50) { edges { node { id tenure careLevel dwelling { id unit room floorArea } members { id name relation } } } } }";
const PG_NESTED: &str = "query($c: UUID!) { allHouseholds(first: 50, condition: {communityId: $c, archivedAt: null}) { nodes { id tenure careLevelDerived dwellingByCommunityIdAndDwellingId { id unit room floorAreaHundredths } residentsByCommunityIdAndHouseholdId(condition: {archivedAt: null}) { nodes { id name relation } } } } }";

pub const BALANCE: &str = "query($f: ID!) { fund(id: $f) { balance headSeq } }";
const PG_BALANCE: &str = "query($f: UUID!, $c: UUID!) { fundByIdAndCommunityId(id: $f, communityId: $c) { balanceFen headSeq } }";

pub const RECORD: &str =
    "mutation($in: RecordContributionInput!) { recordContribution(input: $in) { entry { seq } } }";

pub const LOGIN: &str = "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { accessToken } }";

/// Which of the reads.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Point,
    Page,
    Nested,
    Balance,
}

impl Kind {
    pub fn title(self) -> &'static str {
        match self {
            Kind::Point => "resident by id (8 scalar fields)",
            Kind::Page => "community + first 20 residents, household, dwelling",
            Kind::Nested => "50 households × dwelling and members",
            Kind::Balance => "fund balance",
        }
    }

    /// The goal: at least this many times PostGraphile's rate.
    pub fn goal(self) -> Option<f64> {
        match self {
            Kind::Point => Some(4.0),
            Kind::Page => Some(2.5),
            Kind::Nested => Some(3.0),
            Kind::Balance => None,
        }
    }

    /// jiedao's query and PostGraphile's.
    pub fn queries(self) -> (&'static str, &'static str) {
        match self {
            Kind::Point => (POINT, PG_POINT),
            Kind::Page => (PAGE, PG_PAGE),
            Kind::Nested => (NESTED, PG_NESTED),
            Kind::Balance => (BALANCE, PG_BALANCE),
        }
    }

    /// How many rows the answer's main list holds, to check both servers answer alike.
    pub fn rows(self, data: &Value, postgraphile: bool) -> usize {
        let list = match (self, postgraphile) {
            (Kind::Point, false) => return usize::from(data["resident"].is_object()),
            (Kind::Point, true) => {
                return usize::from(data["residentByIdAndCommunityId"].is_object());
            }
            (Kind::Balance, false) => return usize::from(data["fund"].is_object()),
            (Kind::Balance, true) => {
                return usize::from(data["fundByIdAndCommunityId"].is_object());
            }
            (Kind::Page, false) => &data["residents"]["edges"],
            (Kind::Page, true) => &data["allResidents"]["nodes"],
            (Kind::Nested, false) => &data["households"]["edges"],
            (Kind::Nested, true) => &data["allHouseholds"]["nodes"],
        };
        list.as_array().map_or(0, Vec::len)
    }
}

/// A GraphQL request body.
pub fn body(query: &str, variables: Value) -> Bytes {
    Bytes::from(json!({ "query": query, "variables": variables }).to_string())
}
