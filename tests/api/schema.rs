//! `schema.graphql` is the exported SDL; this test fails when it drifts.

#[test]
fn schema_graphql_matches_the_code() {
    let sdl = jiedao::build_schema_bare().sdl();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    if std::env::var("UPDATE_SCHEMA").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &sdl).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == sdl,
        "schema.graphql is out of date; refresh it with:\n\n    UPDATE_SCHEMA=1 cargo test --test api schema\n"
    );
}
