//! The scaffold download (wiremock) and the safe unpacking of hostile and honest archives.
#![cfg(feature = "unpack")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use common::{json, setup};
use sentryagent_idp::scaffold::{ExistingFiles, MAX_UNPACKED_BYTES, unpack};
use sentryagent_idp::{AgentIdPError, ScaffoldLanguage};
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

const AGENT: &str = "6ce7748b-a6aa-462b-a9cf-595441b3714f";

enum Entry<'a> {
    Dir(&'a str),
    File(&'a str, &'a [u8], u32),
    Link(&'a str, &'a str),
}

fn archive(entries: &[Entry<'_>]) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for entry in entries {
        match entry {
            Entry::Dir(name) => zip.add_directory(*name, options).unwrap(),
            Entry::File(name, body, mode) => {
                zip.start_file(*name, options.unix_permissions(*mode))
                    .unwrap();
                zip.write_all(body).unwrap();
            }
            Entry::Link(name, target) => zip.add_symlink(*name, *target, options).unwrap(),
        }
    }
    zip.finish().unwrap().into_inner()
}

/// A fresh directory under the system temp dir holding `target/`, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "sentryagent-unpack-{tag}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
    fn target(&self) -> PathBuf {
        self.0.join("target")
    }
    fn files(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, out);
                } else {
                    out.push(path);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.0, &mut out);
        out
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn refused(result: Result<PathBuf, AgentIdPError>, needle: &str) {
    match result {
        Err(AgentIdPError::Unpack(message)) => {
            assert!(message.contains(needle), "{message:?} lacks {needle:?}")
        }
        other => panic!("expected an Unpack error mentioning {needle:?}, got {other:?}"),
    }
}

#[tokio::test]
async fn download_returns_the_zip_bytes() {
    let (server, client) = setup().await;
    let zip = archive(&[Entry::File("starter/README.md", b"# hi\n", 0o644)]);
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/sdk/scaffold/{AGENT}")))
        .and(query_param("language", "rust"))
        .and(header("authorization", "Bearer tok-1"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/zip")
                .set_body_bytes(zip.clone()),
        )
        .expect(1)
        .mount(&server)
        .await;
    let bytes = client
        .scaffold()
        .download(AGENT, ScaffoldLanguage::Rust)
        .await
        .unwrap();
    assert_eq!(bytes.as_ref(), zip.as_slice());
}

#[tokio::test]
async fn download_maps_an_unknown_language_error() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/sdk/scaffold/{AGENT}")))
        .respond_with(json(
            400,
            json!({ "code": "VALIDATION_ERROR", "message": "language must be one of …", "details": { "supported": ["typescript"] } }),
        ))
        .mount(&server)
        .await;
    let err = client
        .scaffold()
        .download(AGENT, ScaffoldLanguage::Java)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.code(), Some("VALIDATION_ERROR"));
    assert_eq!(err.request_id(), Some("req-123"));
}

#[test]
fn languages_parse_and_print_their_wire_names() {
    for lang in ScaffoldLanguage::ALL {
        assert_eq!(lang.as_str().parse::<ScaffoldLanguage>().unwrap(), lang);
    }
    let err = "cobol".parse::<ScaffoldLanguage>().unwrap_err();
    assert!(
        err.to_string()
            .contains("typescript, python, go, java, rust")
    );
}

#[test]
fn unpacks_into_the_root_folder_keeping_executable_bits() {
    let scratch = Scratch::new("ok");
    let zip = archive(&[
        Entry::Dir("starter/"),
        Entry::File("starter/run.sh", b"#!/bin/sh\necho hi\n", 0o755),
        Entry::File("starter/src/main.rs", b"fn main() {}\n", 0o644),
    ]);
    let root = unpack(&zip, &scratch.target(), ExistingFiles::Refuse).unwrap();
    assert_eq!(root, scratch.target().join("starter"));
    assert_eq!(
        std::fs::read_to_string(root.join("src/main.rs")).unwrap(),
        "fn main() {}\n"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &str| {
            std::fs::metadata(root.join(p))
                .unwrap()
                .permissions()
                .mode()
                & 0o777
        };
        assert_eq!(mode("run.sh"), 0o755);
        assert_eq!(mode("src/main.rs"), 0o644);
    }
}

#[test]
fn refuses_entries_that_escape_and_writes_nothing() {
    for (tag, name) in [
        ("dotdot", "starter/../../evil.txt"),
        ("absolute", "/tmp/sentryagent-evil.txt"),
    ] {
        let scratch = Scratch::new(tag);
        let zip = archive(&[
            Entry::File("starter/README.md", b"fine\n", 0o644),
            Entry::File(name, b"pwned\n", 0o644),
        ]);
        refused(
            unpack(&zip, &scratch.target(), ExistingFiles::Refuse),
            "escapes",
        );
        assert!(
            scratch.files().is_empty(),
            "{tag}: wrote {:?}",
            scratch.files()
        );
    }
    assert!(!Path::new("/tmp/sentryagent-evil.txt").exists());
}

#[test]
fn refuses_symbolic_links() {
    let scratch = Scratch::new("link");
    let zip = archive(&[Entry::Link("starter/passwd", "/etc/passwd")]);
    refused(
        unpack(&zip, &scratch.target(), ExistingFiles::Refuse),
        "symbolic link",
    );
    assert!(scratch.files().is_empty());
}

#[test]
fn refuses_a_non_empty_directory_unless_told_to_overwrite() {
    let scratch = Scratch::new("existing");
    std::fs::create_dir_all(scratch.target()).unwrap();
    std::fs::write(scratch.target().join("keep.txt"), "mine").unwrap();
    let zip = archive(&[Entry::File("starter/README.md", b"new\n", 0o644)]);
    refused(
        unpack(&zip, &scratch.target(), ExistingFiles::Refuse),
        "not empty",
    );
    assert!(!scratch.target().join("starter").exists());
    let root = unpack(&zip, &scratch.target(), ExistingFiles::Overwrite).unwrap();
    assert_eq!(
        std::fs::read_to_string(root.join("README.md")).unwrap(),
        "new\n"
    );
    assert_eq!(
        std::fs::read_to_string(scratch.target().join("keep.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn refuses_an_archive_that_inflates_past_the_cap() {
    let scratch = Scratch::new("bomb");
    let zeros = vec![0_u8; usize::try_from(MAX_UNPACKED_BYTES).unwrap() + 1];
    let zip = archive(&[Entry::File("starter/zeros.bin", &zeros, 0o644)]);
    assert!(zip.len() < 1024 * 1024, "deflated to {} bytes", zip.len());
    refused(
        unpack(&zip, &scratch.target(), ExistingFiles::Refuse),
        "inflates past",
    );
}

#[test]
fn refuses_bytes_that_are_not_a_zip() {
    let scratch = Scratch::new("garbage");
    refused(
        unpack(
            b"<html>oops</html>",
            &scratch.target(),
            ExistingFiles::Refuse,
        ),
        "not a ZIP",
    );
}
