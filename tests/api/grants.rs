//! Who may grant and revoke which role where (ARCHITECTURE.md §3), table-driven: every
//! role as granter × every role to grant × a scope inside and outside the granter's own.

use entity::role_grant::Role;
use jiedao::auth::viewer::rank;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{Caller, Scope, TestApp, data, error_code};

const GRANT: &str = "mutation($in: GrantRoleInput!) { grantRole(input: $in) { grant { id role scopeKind active } } }";
const REVOKE: &str =
    "mutation($id: ID!) { revokeRole(input: {grantId: $id}) { grant { revokedAt } } }";

/// Every role `grantRole` gives with a scope in the fixture tree; `family_contact` comes
/// only with a family contact's login (tests/api/family_contacts.rs checks that `grantRole`
/// refuses it), and micro-grids have their own tests, in `grid_leaders.rs`.
const ALL_ROLES: [Role; 9] = [
    Role::PlatformAdmin,
    Role::StreetAdmin,
    Role::CommunityAdmin,
    Role::CommunityStaff,
    Role::GridLeader,
    Role::GridWorker,
    Role::CommitteeMember,
    Role::Treasurer,
    Role::Resident,
];

fn graphql_name(role: Role) -> &'static str {
    match role {
        Role::PlatformAdmin => "PLATFORM_ADMIN",
        Role::StreetAdmin => "STREET_ADMIN",
        Role::CommunityAdmin => "COMMUNITY_ADMIN",
        Role::CommunityStaff => "COMMUNITY_STAFF",
        Role::GridLeader => "GRID_LEADER",
        Role::GridWorker => "GRID_WORKER",
        Role::CommitteeMember => "COMMITTEE_MEMBER",
        Role::Treasurer => "TREASURER",
        Role::Resident => "RESIDENT",
        Role::FamilyContact => "FAMILY_CONTACT",
        Role::MicroGridLeader => "MICRO_GRID_LEADER",
    }
}

fn is_admin(role: Role) -> bool {
    matches!(
        role,
        Role::PlatformAdmin | Role::StreetAdmin | Role::CommunityAdmin
    )
}

/// The granter's own scope for each role, all in street office A / community A1.
fn own_scope(app: &TestApp, role: Role) -> Scope {
    let t = &app.tree;
    match role {
        Role::PlatformAdmin => Scope::Deployment,
        Role::StreetAdmin => Scope::StreetOffice(t.a),
        Role::CommunityAdmin | Role::CommunityStaff => Scope::Community(t.a1),
        Role::GridLeader | Role::GridWorker => Scope::Below(t.a1, t.grid_a1),
        Role::CommitteeMember | Role::Treasurer => Scope::Below(t.a1, t.compound_a1),
        Role::Resident | Role::FamilyContact => Scope::Below(t.a1, t.household_a1),
        Role::MicroGridLeader => unreachable!("the fixture tree has no micro-grid"),
    }
}

/// Where a role is granted, inside (A / A1) or outside (B / B1) the granter's tree.
fn target_scope(app: &TestApp, role: Role, inside: bool) -> Scope {
    let t = &app.tree;
    let (office, community, grid, compound, household) = if inside {
        (t.a, t.a1, t.grid_a1, t.compound_a1, t.household_a1)
    } else {
        (t.b, t.b1, t.grid_b1, t.compound_b1, t.household_b1)
    };
    match role {
        Role::PlatformAdmin => Scope::Deployment,
        Role::StreetAdmin => Scope::StreetOffice(office),
        Role::CommunityAdmin | Role::CommunityStaff => Scope::Community(community),
        Role::GridLeader | Role::GridWorker => Scope::Below(community, grid),
        Role::CommitteeMember | Role::Treasurer => Scope::Below(community, compound),
        Role::Resident | Role::FamilyContact => Scope::Below(community, household),
        Role::MicroGridLeader => unreachable!("the fixture tree has no micro-grid"),
    }
}

fn grant_input(user: Uuid, role: Role, scope: Scope) -> serde_json::Value {
    let (scope_id, community_id) = match scope {
        Scope::Deployment => (None, None),
        Scope::StreetOffice(id) | Scope::Community(id) => (Some(id), None),
        Scope::Below(community, id) => (Some(id), Some(community)),
    };
    json!({ "userId": user, "role": graphql_name(role), "scopeId": scope_id, "communityId": community_id })
}

/// What a granter of `granter` role (in its own scope) gets for granting `role` inside or
/// outside its tree: `None` for success, else the error code.
fn expected(granter: Role, role: Role, inside: bool) -> Option<&'static str> {
    // Only the platform admin sees street office B and community B1.
    let visible = inside || granter == Role::PlatformAdmin;
    if role != Role::PlatformAdmin && !visible {
        return Some("NOT_FOUND");
    }
    // A street office's admin covers all of A; a community admin covers A1 only, which is
    // every "inside" target below the street-office level.
    let covers = match granter {
        Role::PlatformAdmin => true,
        Role::StreetAdmin => inside,
        Role::CommunityAdmin => inside && role != Role::StreetAdmin,
        _ => false,
    };
    if is_admin(granter) && rank(granter) > rank(role) && covers {
        None
    } else {
        Some("FORBIDDEN")
    }
}

#[tokio::test]
async fn who_may_grant_what_where() {
    let app = TestApp::new().await.with_homes().await;
    let mut checked = 0;
    for granter_role in ALL_ROLES {
        let granter = app
            .caller(granter_role, own_scope(&app, granter_role))
            .await;
        // A fresh target per granter, homed in A1 so every admin of A1 can see it.
        let target = app
            .user(
                &format!("target.{}", graphql_name(granter_role).to_lowercase()),
                Scope::Community(app.tree.a1),
            )
            .await;
        for role in ALL_ROLES {
            for inside in [true, false] {
                let input = grant_input(target, role, target_scope(&app, role, inside));
                let body = app.gql(Some(&granter), GRANT, json!({ "in": input })).await;
                let want = expected(granter_role, role, inside);
                assert_eq!(
                    error_code(&body),
                    want,
                    "{granter_role:?} granting {role:?} {}: {body}",
                    if inside { "inside" } else { "outside" }
                );
                if want.is_none() {
                    assert_eq!(
                        body["data"]["grantRole"]["grant"]["role"],
                        graphql_name(role)
                    );
                    assert_eq!(body["data"]["grantRole"]["grant"]["active"], true);
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, ALL_ROLES.len() * ALL_ROLES.len() * 2);
}

#[tokio::test]
async fn who_may_revoke_what_where() {
    let app = TestApp::new().await.with_homes().await;
    for granter_role in ALL_ROLES {
        let granter = app
            .caller(granter_role, own_scope(&app, granter_role))
            .await;
        for role in ALL_ROLES {
            for inside in [true, false] {
                let holder = app
                    .user(
                        &format!("h{}", &Uuid::now_v7().simple().to_string()[20..]),
                        Scope::Community(app.tree.a1),
                    )
                    .await;
                let grant = app
                    .grant(holder, role, target_scope(&app, role, inside))
                    .await;
                let body = app
                    .gql(Some(&granter), REVOKE, json!({ "id": grant }))
                    .await;
                // The platform_admin grant has no place in the tree: only the platform
                // admin sees it, and nobody outranks it.
                let community_level =
                    !matches!(granter_role, Role::PlatformAdmin | Role::StreetAdmin);
                let want = if role == Role::PlatformAdmin {
                    if granter_role == Role::PlatformAdmin {
                        Some("FORBIDDEN")
                    } else {
                        Some("NOT_FOUND")
                    }
                } else if role == Role::StreetAdmin && community_level {
                    // A street office's own grants sit above any community: out of sight.
                    Some("NOT_FOUND")
                } else {
                    expected(granter_role, role, inside)
                };
                assert_eq!(
                    error_code(&body),
                    want,
                    "{granter_role:?} revoking {role:?} inside={inside}: {body}"
                );
                if want.is_none() {
                    assert!(body["data"]["revokeRole"]["grant"]["revokedAt"].is_string());
                }
            }
        }
    }
}

#[tokio::test]
async fn a_revoked_grant_stops_working_on_the_next_request() {
    let app = TestApp::new().await.with_homes().await;
    let street = app
        .caller(Role::StreetAdmin, Scope::StreetOffice(app.tree.a))
        .await;
    let admin_user = app.user("ca.a1", Scope::Community(app.tree.a1)).await;
    let grant = app
        .grant(
            admin_user,
            Role::CommunityAdmin,
            Scope::Community(app.tree.a1),
        )
        .await;
    let admin = app.session(admin_user, "ca.a1").await;
    let body = app
        .gql(Some(&admin), "{ communities { totalCount } }", json!({}))
        .await;
    assert_eq!(body["data"]["communities"]["totalCount"], 1);

    let body = app.gql(Some(&street), REVOKE, json!({ "id": grant })).await;
    assert!(body.get("errors").is_none(), "{body}");
    // Revoking ends the holder's sessions; a new login has no power left.
    assert_eq!(
        error_code(&app.gql(Some(&admin), "{ me { id } }", json!({})).await),
        Some("UNAUTHENTICATED")
    );
    let fresh = app.session(admin_user, "ca.a1").await;
    let body = app
        .gql(Some(&fresh), "{ communities { totalCount } }", json!({}))
        .await;
    assert_eq!(body["data"]["communities"]["totalCount"], 0);
    let again = app.gql(Some(&street), REVOKE, json!({ "id": grant })).await;
    assert_eq!(error_code(&again), Some("CONFLICT"));
}

#[tokio::test]
async fn expired_and_future_grants_give_no_power() {
    let app = TestApp::new().await.with_homes().await;
    let now = chrono::Utc::now();
    for (from, until) in [
        (
            now - chrono::Duration::days(30),
            Some(now - chrono::Duration::days(1)),
        ),
        (now + chrono::Duration::days(1), None),
    ] {
        let user = app
            .user(
                &format!("x{}", &Uuid::now_v7().simple().to_string()[20..]),
                Scope::StreetOffice(app.tree.a),
            )
            .await;
        app.grant_between(
            user,
            Role::StreetAdmin,
            Scope::StreetOffice(app.tree.a),
            from,
            until,
        )
        .await;
        let caller: Caller = app.session(user, "x").await;
        let body = app
            .gql(Some(&caller), "{ streetOffices { totalCount } }", json!({}))
            .await;
        assert_eq!(body["data"]["streetOffices"]["totalCount"], 0, "{body}");
        let body = app
            .gql(Some(&caller), "mutation($s: ID!) { createCommunity(input: {streetOfficeId: $s, name: \"新社区\"}) { community { id } } }", json!({ "s": app.tree.a }))
            .await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"));
        let me = app
            .gql(Some(&caller), "{ me { grants { active } } }", json!({}))
            .await;
        assert_eq!(me["data"]["me"]["grants"][0]["active"], false);
    }
}

#[tokio::test]
async fn grant_input_is_checked() {
    let app = TestApp::new().await.with_homes().await;
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    let user = app
        .user("grant.target", Scope::Community(app.tree.a1))
        .await;
    let mut input = grant_input(user, Role::CommunityStaff, Scope::Community(app.tree.a1));
    input["validFrom"] = json!("2026-12-01T00:00:00Z");
    input["validUntil"] = json!("2026-11-01T00:00:00Z");
    let body = app.gql(Some(&admin), GRANT, json!({ "in": input })).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.validUntil");

    let input = grant_input(user, Role::CommunityStaff, Scope::Community(app.tree.a1));
    assert!(
        app.gql(Some(&admin), GRANT, json!({ "in": input.clone() }))
            .await
            .get("errors")
            .is_none()
    );
    assert_eq!(
        error_code(&app.gql(Some(&admin), GRANT, json!({ "in": input })).await),
        Some("CONFLICT")
    );

    // Compound and household grants name rows that exist here, in the stated community.
    let input = grant_input(
        user,
        Role::Treasurer,
        Scope::Below(app.tree.a1, Uuid::now_v7()),
    );
    let body = app.gql(Some(&admin), GRANT, json!({ "in": input })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let input = grant_input(
        user,
        Role::Resident,
        Scope::Below(app.tree.a2, app.tree.household_a1),
    );
    let body = app.gql(Some(&admin), GRANT, json!({ "in": input })).await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "input.communityId"
    );

    // Grid grants name a grid that exists here; the community comes from the grid.
    let mut input = grant_input(
        user,
        Role::GridWorker,
        Scope::Below(app.tree.a1, Uuid::now_v7()),
    );
    let body = app
        .gql(Some(&admin), GRANT, json!({ "in": input.clone() }))
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    input["scopeId"] = json!(app.tree.grid_a1);
    input["communityId"] = serde_json::Value::Null;
    let body = app.gql(Some(&admin), GRANT, json!({ "in": input })).await;
    assert_eq!(data(&body)["grantRole"]["grant"]["scopeKind"], "GRID");

    // A user the admin cannot see is NOT_FOUND even for a grant it could give.
    let stranger = app.user("stranger.b1", Scope::Community(app.tree.b1)).await;
    let input = grant_input(
        stranger,
        Role::CommunityStaff,
        Scope::Community(app.tree.a1),
    );
    assert_eq!(
        error_code(&app.gql(Some(&admin), GRANT, json!({ "in": input })).await),
        Some("NOT_FOUND")
    );
}
