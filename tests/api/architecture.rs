//! The shape of the house, read from the code's own `use` lines: imports run one way, top to
//! bottom through the layers the README's layout names, and no file reaches back up to a
//! file that reaches it (no import cycle, between files or between modules). A new
//! top-level module must be given a layer here before the suite passes.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

/// Top-level modules of `src/` by layer, highest first. A module may import its own layer
/// or any lower one, never a higher one; within a layer, modules must not import each other
/// in a circle.
const LAYERS: &[&[&str]] = &[
    &["main", "lib"],
    &["app", "http"],
    &["schema", "bootstrap"],
    // Grid work spans requests, visits and announcements; public notice, funds and meetings;
    // notifications label and schedule events of every domain.
    &["gridwork", "notice", "notifications"],
    // The domains.
    &[
        "activities",
        "announcements",
        "care",
        "committees",
        "consultations",
        "funds",
        "identity",
        "mediation",
        "meetings",
        "org",
        "points",
        "registry",
        "requests",
        "visits",
        "wechat_groups",
    ],
    &["tenancy", "audit", "idempotency"],
    // The GraphQL kit the domains use.
    &["graphql"],
    &["state", "live", "outbox", "files", "tabular", "backup"],
    &["auth", "db", "crypto", "signing", "calendar"],
    &["error", "config", "telemetry"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// `src/registry/places.rs` → `registry/places`; `src/lib.rs` → `lib`.
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap_or(file).with_extension("");
    relative.to_string_lossy().replace('\\', "/")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs")
            // Unit tests of a module may use anything.
            && path.file_stem().is_some_and(|s| s != "tests")
        {
            out.push(path);
        }
    }
}

/// The code of a file without comments and without its test module (clippy keeps test
/// modules last in a file).
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Expands a use tree (`a::{b, c::{d, e}}`) into paths.
fn expand(prefix: &[String], tree: &str, out: &mut Vec<Vec<String>>) {
    let tree = tree.trim();
    if let Some(open) = tree.find('{')
        && tree.ends_with('}')
    {
        let mut head: Vec<String> = prefix.to_vec();
        head.extend(segments(&tree[..open]));
        let inner = &tree[open + 1..tree.len() - 1];
        let (mut depth, mut start) = (0, 0);
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand(&head, &inner[start..i], out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        expand(&head, &inner[start..], out);
    } else if !tree.is_empty() {
        let mut path = prefix.to_vec();
        path.extend(segments(tree.split(" as ").next().unwrap_or(tree)));
        out.push(path);
    }
}

fn segments(path: &str) -> Vec<String> {
    path.split("::")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Every module path a file refers to: its `use` trees and inline `crate::`/`super::`
/// paths, made absolute.
fn references(module: &str, code: &str) -> Vec<Vec<String>> {
    let own: Vec<String> = module.split('/').map(str::to_owned).collect();
    let parent = &own[..own.len().saturating_sub(1)];
    let absolute = |path: Vec<String>| -> Option<Vec<String>> {
        match path.first().map(String::as_str) {
            Some("crate") => Some(path[1..].to_vec()),
            Some("super") => Some([parent, &path[1..]].concat()),
            Some("self") => Some([&own[..], &path[1..]].concat()),
            _ => None,
        }
    };
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        let after = &rest[at + 4..];
        let boundary = at == 0 || !rest[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_');
        let Some(end) = after.find(';') else { break };
        if boundary {
            let mut paths = Vec::new();
            expand(&[], &after[..end], &mut paths);
            out.extend(paths.into_iter().filter_map(absolute));
        }
        rest = &after[end..];
    }
    for root in ["crate::", "super::"] {
        let mut rest = code;
        while let Some(at) = rest.find(root) {
            let tail = &rest[at..];
            let len = tail
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(tail.len());
            out.extend(absolute(segments(&tail[..len])));
            rest = &tail[len..];
        }
    }
    out
}

/// The import graph of `src/`, file to file.
fn import_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(&src, f)).collect();
    let mut graph = BTreeMap::new();
    for file in &files {
        let module = module_of(&src, file);
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        let mut targets = BTreeSet::new();
        for path in references(&module, &code) {
            // The longest prefix of the path that is a file: `registry::places::x` is in
            // `registry/places`.
            let target = (1..=path.len())
                .rev()
                .map(|n| path[..n].join("/"))
                .find(|m| modules.contains(m));
            if let Some(target) = target.filter(|t| *t != module) {
                targets.insert(target);
            }
        }
        graph.insert(module, targets);
    }
    graph
}

/// Strongly connected components with more than one member (Tarjan).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        for w in s.graph.get(v).into_iter().flatten() {
            if !s.index.contains_key(w.as_str()) {
                visit(s, w);
                let low = s.low[v].min(s.low[w.as_str()]);
                s.low.insert(v, low);
            } else if s.stack.contains(&w.as_str()) {
                let low = s.low[v].min(s.index[w.as_str()]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                component.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !state.index.contains_key(v.as_str()) {
            visit(&mut state, v);
        }
    }
    state.found
}

fn top(module: &str) -> &str {
    module.split('/').next().unwrap_or(module)
}

#[test]
fn no_file_imports_a_file_that_imports_it() {
    let graph = import_graph();
    assert!(graph.len() > 100, "the walk found {} files", graph.len());
    assert_eq!(
        cycles(&graph),
        Vec::<Vec<String>>::new(),
        "import cycles between files"
    );
}

#[test]
fn imports_run_down_the_layers_and_modules_import_each_other_one_way() {
    let graph = import_graph();
    let mut upward = Vec::new();
    let mut modules: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, targets) in &graph {
        let Some(from_layer) = layer_of(top(from)) else {
            panic!(
                "src/{from}.rs: give the module `{}` a layer in LAYERS",
                top(from)
            );
        };
        for to in targets {
            let to_layer = layer_of(top(to)).unwrap_or(usize::MAX);
            if to_layer < from_layer {
                upward.push(format!("{from} -> {to}"));
            }
            if top(from) != top(to) {
                modules
                    .entry(top(from).to_owned())
                    .or_default()
                    .insert(top(to).to_owned());
            }
        }
    }
    assert_eq!(
        upward,
        Vec::<String>::new(),
        "imports from a lower layer up to a higher one"
    );
    assert_eq!(
        cycles(&modules),
        Vec::<Vec<String>>::new(),
        "modules importing each other"
    );
}

#[tokio::test]
async fn every_table_with_a_community_has_the_tenancy_finder() {
    use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
    // From the database's own catalog after every migration: a table added with a
    // `community_id` column and no `TenantEntity` fails here.
    let app = crate::helpers::TestApp::new().await;
    let conn = app.db().reader();
    let sql = match conn.get_database_backend() {
        DatabaseBackend::Postgres => {
            "SELECT table_name AS name FROM information_schema.columns \
             WHERE column_name = 'community_id' AND is_nullable = 'NO' \
             AND table_schema = current_schema()"
        }
        _ => {
            "SELECT m.name AS name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND p.name = 'community_id' AND p.\"notnull\" = 1"
        }
    };
    let rows = conn
        .query_all_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await
        .unwrap();
    let tables: BTreeSet<String> = rows
        .iter()
        .map(|r| r.try_get::<String>("", "name").unwrap())
        .collect();
    assert!(tables.len() >= 41, "found {tables:?}");
    let missing: Vec<&String> = tables
        .iter()
        .filter(|t| !entity::reach::TENANT_TABLES.contains(&t.as_str()))
        .collect();
    assert_eq!(
        missing,
        Vec::<&String>::new(),
        "tenant tables without TenantEntity"
    );
}
