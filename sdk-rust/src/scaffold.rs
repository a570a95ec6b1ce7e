//! Writing a downloaded starter ZIP to disk, safely (feature `unpack`).
//!
//! The archive comes from the network, so nothing in it is trusted: entries that would land
//! outside the target (`..`, absolute paths), symbolic links, and archives that inflate past
//! [`MAX_UNPACKED_BYTES`] are refused before anything is written for them.

use std::fs;
use std::io::{self, Cursor, Read, Write};
use std::path::{Component, Path, PathBuf};

use zip::ZipArchive;

use crate::error::AgentIdPError;

/// The most a starter may inflate to; a starter is a few kilobytes.
pub const MAX_UNPACKED_BYTES: u64 = 16 * 1024 * 1024;

/// What to do when the target directory already holds files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ExistingFiles {
    /// Refuse to write into a non-empty directory (the default).
    #[default]
    Refuse,
    /// Write into it, replacing files of the same name.
    Overwrite,
}

/// Unpacks `archive` into `dir` (created when missing) and returns the project's root folder
/// (`dir` joined with the archive's single top-level folder). Executable bits are kept;
/// everything else is written `0644`/`0755`. This is blocking file I/O: from async code, call
/// it inside `tokio::task::spawn_blocking`.
///
/// # Errors
///
/// [`AgentIdPError::Unpack`] for a corrupt or hostile archive, a non-empty `dir` with
/// [`ExistingFiles::Refuse`], or a file-system failure.
///
/// ```no_run
/// # async fn f(client: sentryagent_idp::AgentIdPClient) -> Result<(), sentryagent_idp::AgentIdPError> {
/// use sentryagent_idp::{ScaffoldLanguage, scaffold};
/// let zip = client.scaffold().download("3f1c…", ScaffoldLanguage::Go).await?;
/// let root = scaffold::unpack(&zip, "./my-agent".as_ref(), scaffold::ExistingFiles::Refuse)?;
/// println!("cd {}", root.display());
/// # Ok(()) }
/// ```
pub fn unpack(
    archive: &[u8],
    dir: &Path,
    existing: ExistingFiles,
) -> Result<PathBuf, AgentIdPError> {
    let mut zip =
        ZipArchive::new(Cursor::new(archive)).map_err(|e| failure("not a ZIP archive", e))?;
    if existing == ExistingFiles::Refuse && holds_files(dir)? {
        return Err(AgentIdPError::Unpack(format!(
            "{} is not empty; pass ExistingFiles::Overwrite to write into it",
            dir.display()
        )));
    }
    let entries = plan(&mut zip)?;
    let mut budget = MAX_UNPACKED_BYTES;
    for entry in &entries {
        let target = dir.join(&entry.relative);
        let name = entry.relative.display().to_string();
        if entry.is_dir {
            fs::create_dir_all(&target).map_err(|e| failure(&name, e))?;
            continue;
        }
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|e| failure(&name, e))?;
        }
        let mut source = zip.by_index(entry.index).map_err(|e| failure(&name, e))?;
        let mut file = fs::File::create(&target).map_err(|e| failure(&name, e))?;
        // Declared sizes can lie: the budget is enforced on the bytes actually inflated.
        let written = io::copy(&mut (&mut source).take(budget + 1), &mut file)
            .map_err(|e| failure(&name, e))?;
        if written > budget {
            return Err(AgentIdPError::Unpack(format!(
                "the archive inflates past {MAX_UNPACKED_BYTES} bytes"
            )));
        }
        budget -= written;
        file.flush().map_err(|e| failure(&name, e))?;
        set_mode(&file, entry.executable).map_err(|e| failure(&name, e))?;
    }
    let mut roots = entries
        .iter()
        .filter_map(|e| e.relative.components().next());
    let first = roots.next();
    Ok(match first {
        Some(Component::Normal(root)) if roots.all(|c| c == Component::Normal(root)) => {
            dir.join(root)
        }
        _ => dir.to_path_buf(),
    })
}

struct PlannedEntry {
    index: usize,
    relative: PathBuf,
    is_dir: bool,
    executable: bool,
}

/// Checks every entry before anything is written, so a hostile archive leaves no files.
fn plan(zip: &mut ZipArchive<Cursor<&[u8]>>) -> Result<Vec<PlannedEntry>, AgentIdPError> {
    (0..zip.len())
        .map(|index| {
            let entry = zip
                .by_index(index)
                .map_err(|e| failure("unreadable entry", e))?;
            let name = entry
                .name()
                .map_err(|e| failure("unreadable entry name", e))?
                .into_owned();
            if entry.is_symlink() {
                return Err(AgentIdPError::Unpack(format!(
                    "refused symbolic link {name:?}"
                )));
            }
            // enclosed_name() would quietly re-root an absolute name; ours never has one.
            let absolute = name.starts_with(['/', '\\']) || name.get(1..2) == Some(":");
            let relative = entry
                .enclosed_name()
                .filter(|_| !absolute)
                .filter(|p| p.components().all(|c| matches!(c, Component::Normal(_))))
                .ok_or_else(|| {
                    AgentIdPError::Unpack(format!(
                        "refused entry {name:?}: it escapes the target directory"
                    ))
                })?;
            Ok(PlannedEntry {
                index,
                relative,
                is_dir: entry.is_dir(),
                executable: entry.unix_mode().is_some_and(|mode| mode & 0o111 != 0),
            })
        })
        .collect()
}

fn holds_files(dir: &Path) -> Result<bool, AgentIdPError> {
    match fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_some()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(failure(&dir.display().to_string(), e)),
    }
}

#[cfg(unix)]
fn set_mode(file: &fs::File, executable: bool) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(if executable {
        0o755
    } else {
        0o644
    }))
}

#[cfg(not(unix))]
fn set_mode(_file: &fs::File, _executable: bool) -> io::Result<()> {
    Ok(())
}

fn failure(what: &str, err: impl std::fmt::Display) -> AgentIdPError {
    AgentIdPError::Unpack(format!("{what}: {err}"))
}
