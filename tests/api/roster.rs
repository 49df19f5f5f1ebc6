//! Roster import and export: Chinese headers, GB18030 and BOM files, XLSX, every bad row
//! reported, all-or-nothing or valid rows only, idempotent re-import, masked exports.

use base64::{Engine, engine::general_purpose::STANDARD};
use entity::{audit_entry, resident, role_grant::Role};
use jiedao::tabular::{self, Format};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Caller, Scope, TestApp, data, error_code};

pub const IMPORT: &str = "mutation($in: ImportResidentsInput!) { importResidents(input: $in) { rows written residentsCreated residentsAlreadyRegistered householdsCreated dwellingsCreated buildingsCreated problems { row column message } } }";

pub const ROSTER: &str = "\u{feff}和韵小区居民台账\n\
姓名,性别,身份证号,联系电话,楼栋,单元,房号,面积,与户主关系,标签\n\
王秀英,女,11010519491231002X,13800135678,3号楼,1,301,89.50,户主,独居老人\n\
李建国,男,110105195003070019,13900001111,3号楼,1,302,76.00,户主,退役军人、党员\n\
李小红,女,,13900002222,3号楼,1,302,,子女,\n\
张伟,男,,,5栋,2,1201,102.3,户主,\n";

async fn compound(app: &TestApp, staff: &Caller, community: Uuid, name: &str) -> Value {
    let create = "mutation($c: ID!, $n: String!) { createCompound(input: {communityId: $c, name: $n}) { compound { id } } }";
    let body = app
        .gql(Some(staff), create, json!({ "c": community, "n": name }))
        .await;
    data(&body)["createCompound"]["compound"]["id"].clone()
}

/// A new compound of `community`, as `caller`, with `roster` imported; its id.
pub async fn compound_with_roster(
    app: &TestApp,
    caller: &Caller,
    community: Uuid,
    name: &str,
    roster: &str,
) -> Value {
    let c = compound(app, caller, community, name).await;
    let body = import(
        app,
        caller,
        &c,
        "roster.csv",
        roster.as_bytes(),
        "ALL_OR_NOTHING",
    )
    .await;
    assert_eq!(data(&body)["importResidents"]["written"], true, "{body}");
    c
}

pub async fn import(
    app: &TestApp,
    caller: &Caller,
    compound: &Value,
    file_name: &str,
    bytes: &[u8],
    mode: &str,
) -> Value {
    app.upload(
        caller,
        IMPORT,
        json!({ "in": { "compoundId": compound, "file": null, "mode": mode } }),
        "variables.in.file",
        file_name,
        bytes,
    )
    .await
}

#[tokio::test]
async fn a_roster_imports_once_and_reimporting_it_creates_nothing() {
    let app = TestApp::new().await;
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    let c = compound(&app, &staff, app.tree.a1, "和韵小区").await;
    let body = import(
        &app,
        &staff,
        &c,
        "台账.csv",
        ROSTER.as_bytes(),
        "ALL_OR_NOTHING",
    )
    .await;
    let report = &data(&body)["importResidents"];
    assert_eq!(
        report,
        &json!({ "rows": 4, "written": true, "residentsCreated": 4, "residentsAlreadyRegistered": 0, "householdsCreated": 3, "dwellingsCreated": 3, "buildingsCreated": 2, "problems": [] })
    );
    let again = import(
        &app,
        &staff,
        &c,
        "台账.csv",
        ROSTER.as_bytes(),
        "ALL_OR_NOTHING",
    )
    .await;
    let report = &data(&again)["importResidents"];
    assert_eq!(report["residentsCreated"], 0);
    assert_eq!(report["residentsAlreadyRegistered"], 4);
    assert_eq!(report["householdsCreated"], 0);
    assert_eq!(app.count::<resident::Entity>().await, 4);

    // What was imported is findable: the elderly living alone, masked; care levels derived.
    let query = "{ residents(filter: {tag: ELDERLY_ALONE}) { edges { node { name documentNumber phone household { careLevel dwelling { room floorArea building { number } } } } } } }";
    let body = app.gql(Some(&staff), query, json!({})).await;
    let node = &data(&body)["residents"]["edges"][0]["node"];
    assert_eq!(node["name"], "王秀英");
    assert_eq!(node["documentNumber"], "110***********002X");
    assert_eq!(node["household"]["careLevel"], "KEY_GROUP");
    assert_eq!(node["household"]["dwelling"]["floorArea"], "89.50");
    assert_eq!(node["household"]["dwelling"]["building"]["number"], "3号楼");
}

#[tokio::test]
async fn bad_rows_are_all_reported_and_the_mode_decides_what_is_written() {
    let app = TestApp::new().await;
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    let c = compound(&app, &staff, app.tree.a1, "和韵小区").await;
    let file = "姓名,身份证号,联系电话,楼栋,单元,房号,与户主关系\n\
王秀英,11010519491231002X,13800135678,3,1,301,户主\n\
张三,1.10105E+17,,3,1,302,户主\n\
李四,110105194912310038,12345,3,1,303,户主\n\
赵六,11010519491231002X,,3,1,304,户主\n";
    let body = import(
        &app,
        &staff,
        &c,
        "roster.csv",
        file.as_bytes(),
        "ALL_OR_NOTHING",
    )
    .await;
    let report = &data(&body)["importResidents"];
    assert_eq!(report["written"], false);
    let problems: Vec<(i64, String)> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["row"].as_i64().unwrap(),
                p["column"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        problems,
        vec![
            (3, "身份证号".to_owned()),
            (4, "联系电话".to_owned()),
            (5, "身份证号".to_owned())
        ],
        "{report}"
    );
    assert!(
        report["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Excel")
    );
    assert!(
        report["problems"][2]["message"]
            .as_str()
            .unwrap()
            .contains("row 2")
    );
    assert_eq!(app.count::<resident::Entity>().await, 0, "nothing written");

    let body = import(
        &app,
        &staff,
        &c,
        "roster.csv",
        file.as_bytes(),
        "VALID_ROWS",
    )
    .await;
    let report = &data(&body)["importResidents"];
    assert_eq!(
        (
            report["written"].clone(),
            report["residentsCreated"].clone()
        ),
        (json!(true), json!(1))
    );
    assert_eq!(report["problems"].as_array().unwrap().len(), 3);
    assert_eq!(app.count::<resident::Entity>().await, 1);
}

#[tokio::test]
async fn gb18030_csv_and_xlsx_rosters_import_like_utf8() {
    let app = TestApp::new().await;
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    let c = compound(&app, &staff, app.tree.a1, "芳华里").await;
    let (gbk, _, _) = encoding_rs::GB18030.encode(ROSTER.trim_start_matches('\u{feff}'));
    let body = import(&app, &staff, &c, "old-excel.csv", &gbk, "ALL_OR_NOTHING").await;
    assert_eq!(
        data(&body)["importResidents"]["residentsCreated"],
        4,
        "{body}"
    );

    let other = compound(&app, &staff, app.tree.a1, "新苑").await;
    let lines: Vec<Vec<String>> = ROSTER
        .lines()
        .skip(2)
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    let headers: Vec<String> = ROSTER
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect();
    // Different people (the first roster's are registered in this community already).
    let rows: Vec<Vec<String>> = lines
        .into_iter()
        .map(|mut row| {
            row[0] = format!("{}二", row[0]);
            row[2] = String::new();
            row
        })
        .collect();
    let xlsx = tabular::write(Format::Xlsx, "台账", &[], &headers, &rows).unwrap();
    let body = import(&app, &staff, &other, "roster.xlsx", &xlsx, "ALL_OR_NOTHING").await;
    assert_eq!(
        data(&body)["importResidents"]["residentsCreated"],
        4,
        "{body}"
    );
}

#[tokio::test]
async fn only_the_communitys_staff_import_and_unmask_exports() {
    let app = TestApp::new().await;
    let t = &app.tree;
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(t.a1))
        .await;
    let c = compound(&app, &staff, t.a1, "和韵小区").await;
    data(
        &import(
            &app,
            &staff,
            &c,
            "r.csv",
            ROSTER.as_bytes(),
            "ALL_OR_NOTHING",
        )
        .await,
    );
    let outsider = app
        .caller(Role::CommunityStaff, Scope::Community(t.a2))
        .await;
    let body = import(
        &app,
        &outsider,
        &c,
        "r.csv",
        ROSTER.as_bytes(),
        "ALL_OR_NOTHING",
    )
    .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    for small in [
        app.caller(Role::GridWorker, Scope::Below(t.a1, t.grid_a1))
            .await,
        app.caller(Role::Treasurer, Scope::Below(t.a1, Uuid::now_v7()))
            .await,
    ] {
        let body = import(
            &app,
            &small,
            &c,
            "r.csv",
            ROSTER.as_bytes(),
            "ALL_OR_NOTHING",
        )
        .await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"));
    }
    assert_eq!(app.count::<resident::Entity>().await, 4);

    let export = "mutation($in: ExportResidentsInput!) { exportResidents(input: $in) { fileName contentType contentBase64 residents } }";
    let body = app
        .gql(Some(&staff), export, json!({ "in": { "format": "CSV" } }))
        .await;
    let payload = &data(&body)["exportResidents"];
    assert_eq!(payload["residents"], 4);
    let csv = String::from_utf8(
        STANDARD
            .decode(payload["contentBase64"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert!(csv.starts_with('\u{feff}'), "Excel needs the BOM");
    assert!(csv.contains(&staff.username), "the exporter is named");
    assert!(csv.contains("110***********002X") && !csv.contains("11010519491231002X"));

    let unmasked =
        json!({ "in": { "format": "XLSX", "unmasked": true, "reason": "民政局核对特困名单" } });
    let body = app.gql(Some(&staff), export, unmasked.clone()).await;
    let bytes = STANDARD
        .decode(
            data(&body)["exportResidents"]["contentBase64"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    let table = tabular::read(Format::Xlsx, &bytes, 100).unwrap();
    let number = table.column(&["身份证号"]).unwrap();
    assert!(
        table
            .rows
            .iter()
            .any(|r| table.cell(r, number) == "11010519491231002X")
    );
    let audit = audit_entry::Entity::find()
        .filter(audit_entry::Column::Action.eq("exportResidents"))
        .all(app.db().reader())
        .await
        .unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.input["reason"] == "民政局核对特困名单" && e.community_id == Some(t.a1))
    );

    let no_reason = json!({ "in": { "format": "CSV", "unmasked": true } });
    let body = app.gql(Some(&staff), export, no_reason).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    let worker = app
        .caller(Role::GridWorker, Scope::Below(t.a1, t.grid_a1))
        .await;
    let body = app.gql(Some(&worker), export, unmasked).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app
        .gql(
            Some(&outsider),
            export,
            json!({ "in": { "format": "CSV" } }),
        )
        .await;
    assert_eq!(
        data(&body)["exportResidents"]["residents"],
        0,
        "nothing of A1 for A2"
    );
}
