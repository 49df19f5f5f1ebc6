//! Build script: fetch the GraphiQL web assets from the npm registry at build
//! time so that the binary can serve GraphiQL itself, with no CDN at run time.
//!
//! Only with the `graphiql` feature (on by default). `graphiql/package.json` and
//! `graphiql/package-lock.json` pin the exact versions. They are copied into
//! `$OUT_DIR/graphiql/`, `npm ci` installs them there (skipped when a previous run
//! already installed the same files), and the four files the page needs are copied
//! to fixed names in `$OUT_DIR`, where `src/http/graphiql.rs` embeds them with
//! `include_bytes!` under `cfg(graphiql_assets)`.
//!
//! Without npm, or when `npm ci` fails (offline, no registry), the build goes on
//! without the assets: a cargo warning says so, and `GET /graphql` in a browser
//! then answers with a page that says how to get GraphiQL.

use std::env;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::Command;

/// (path inside `node_modules`, file name in `$OUT_DIR`)
const ASSETS: [(&str, &str); 4] = [
    ("graphiql/graphiql.min.js", "graphiql.js"),
    ("graphiql/graphiql.min.css", "graphiql.css"),
    ("react/umd/react.production.min.js", "react.js"),
    ("react-dom/umd/react-dom.production.min.js", "react-dom.js"),
];

/// Copy of the manifests a successful `npm ci` installed, used to skip the
/// next install when nothing changed.
const STAMP: &str = ".installed-manifests";

fn main() {
    println!("cargo::rustc-check-cfg=cfg(graphiql_assets)");
    println!("cargo::rerun-if-changed=build.rs");
    if env::var_os("CARGO_FEATURE_GRAPHIQL").is_none() {
        return;
    }
    println!("cargo::rerun-if-changed=graphiql/package.json");
    println!("cargo::rerun-if-changed=graphiql/package-lock.json");
    // Installing Node.js usually changes PATH: the next build tries again.
    println!("cargo::rerun-if-env-changed=PATH");

    let manifest_dir = PathBuf::from(env_var("CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(env_var("OUT_DIR"));
    match fetch_assets(&manifest_dir.join("graphiql"), &out_dir) {
        Ok(()) => println!("cargo::rustc-cfg=graphiql_assets"),
        Err(reason) => {
            for line in reason.lines().filter(|l| !l.trim().is_empty()) {
                println!("cargo::warning={line}");
            }
            println!(
                "cargo::warning=GraphiQL is left out of this build; GET /graphql in a \
                 browser says how to get it. To build it in: install Node.js and npm \
                 (npm 7 or later) with access to the npm registry, then \
                 `cargo clean -p jiedao && cargo build`. \
                 `--no-default-features` leaves it out without trying."
            );
        }
    }
}

/// Installs the pinned packages and copies the page's files into `out_dir`; the
/// reason on failure.
fn fetch_assets(src: &Path, out_dir: &Path) -> Result<(), String> {
    let work = out_dir.join("graphiql");
    create_dir_all(&work);
    let package_json = read(&src.join("package.json"));
    let lockfile = read(&src.join("package-lock.json"));
    write(&work.join("package.json"), &package_json);
    write(&work.join("package-lock.json"), &lockfile);

    let mut stamp = package_json;
    stamp.extend_from_slice(b"\n\0\n");
    stamp.extend_from_slice(&lockfile);

    let node_modules = work.join("node_modules");
    let up_to_date = fs::read(work.join(STAMP)).is_ok_and(|old| old == stamp)
        && ASSETS
            .iter()
            .all(|(from, _)| node_modules.join(from).is_file());
    if !up_to_date {
        remove_stamp(&work.join(STAMP));
        npm_ci(&work)?;
        write(&work.join(STAMP), &stamp);
    }

    for (from, to) in ASSETS {
        let mut bytes = read(&node_modules.join(from));
        strip_source_map_comment(&mut bytes);
        write(&out_dir.join(to), &bytes);
    }
    Ok(())
}

fn npm_ci(dir: &Path) -> Result<(), String> {
    let output = Command::new("npm")
        .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .output()
        .map_err(|err| format!("could not run `npm` ({err}) to fetch the GraphiQL assets."))?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The last lines say why; the whole log would bury the warning.
    let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    Err(format!(
        "`npm ci --ignore-scripts --no-audit --no-fund` failed in {} ({}) while fetching \
         the GraphiQL assets pinned in graphiql/package-lock.json:\n{}",
        dir.display(),
        output.status,
        tail.join("\n"),
    ))
}

/// Drop a trailing `//# sourceMappingURL=...` line: the maps are not served,
/// and the comment only makes browser developer tools request a missing file.
fn strip_source_map_comment(bytes: &mut Vec<u8>) {
    const MARKER: &[u8] = b"\n//# sourceMappingURL=";
    let end = bytes.len();
    let tail_start = end.saturating_sub(512);
    if let Some(pos) = bytes[tail_start..]
        .windows(MARKER.len())
        .rposition(|w| w == MARKER)
    {
        let pos = tail_start + pos;
        if !bytes[pos + 1..].trim_ascii_end().contains(&b'\n') {
            bytes.truncate(pos + 1);
        }
    }
}

fn env_var(name: &str) -> String {
    match env::var(name) {
        Ok(value) => value,
        Err(err) => panic!("environment variable {name} not set by cargo: {err}"),
    }
}

fn create_dir_all(path: &Path) {
    if let Err(err) = fs::create_dir_all(path) {
        panic!("cannot create {}: {err}", path.display());
    }
}

fn read(path: &Path) -> Vec<u8> {
    match fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) => panic!("cannot read {}: {err}", path.display()),
    }
}

fn write(path: &Path, bytes: &[u8]) {
    if fs::read(path).is_ok_and(|old| old == bytes) {
        return;
    }
    if let Err(err) = fs::write(path, bytes) {
        panic!("cannot write {}: {err}", path.display());
    }
}

fn remove_stamp(path: &Path) {
    match fs::remove_file(path) {
        Ok(()) => {}
        Err(err) if err.kind() == ErrorKind::NotFound => {}
        Err(err) => panic!("cannot remove {}: {err}", path.display()),
    }
}
