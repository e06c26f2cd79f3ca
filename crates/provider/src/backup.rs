//! Snapshots of live zones, taken before every change:
//! `backups/<zone>_<UTC timestamp>.yaml`, in the same YAML format as `zones/`.
//! Timestamps have microseconds and a fixed width, so names sort by time and a
//! name is never reused: creation fails rather than overwrite, and retries
//! with the next microsecond.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use std::path::{Path, PathBuf};
use zone::Zone;

const STAMP: &str = "%Y%m%dT%H%M%S%.6fZ";

#[derive(Debug, Clone, PartialEq, Eq)]
/// A backup file found in the backups directory.
pub struct Backup {
    /// Where it is.
    pub path: PathBuf,
    /// The zone it holds, without the final dot.
    pub zone: String,
    /// When it was taken (from its name).
    pub taken: DateTime<Utc>,
}

/// Writes a durable snapshot of `live` (fsynced before this returns).
pub fn write(dir: &Path, live: &Zone, source: &str) -> std::io::Result<PathBuf> {
    let stem = live.file_stem();
    let body = zone::write_zone_yaml(live);
    write_stamped(dir, &stem, "yaml", |stamp| {
        format!("# Backup of {stem} taken {stamp} from {source}.\n# Restore with: dnsctl revert <this file>\n{body}").into_bytes()
    })
}

/// Keeps a live zone file that could not be read, byte for byte, as
/// `<zone>_<timestamp>.unreadable.zone` before a revert replaces it. It is not
/// a backup `revert` takes (`list` leaves it out): it is there to be read.
pub fn keep_unreadable(dir: &Path, zone: &str, raw: &[u8]) -> std::io::Result<PathBuf> {
    write_stamped(dir, zone, "unreadable.zone", |_| raw.to_vec())
}

/// Creates `<stem>_<timestamp>.<ext>` in `dir`, durably and never over
/// another file, taking the next microsecond while the name is taken.
fn write_stamped(
    dir: &Path,
    stem: &str,
    ext: &str,
    contents: impl Fn(&str) -> Vec<u8>,
) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let mut when = Utc::now();
    loop {
        let stamp = when.format(STAMP).to_string();
        let path = dir.join(format!("{stem}_{stamp}.{ext}"));
        if atomicfile::write_new(&path, &contents(&stamp))? {
            remove_abandoned_temps(dir);
            return Ok(path);
        }
        when += Duration::microseconds(1);
    }
}

/// A backup's temporary file (`.<name>.tmp-XXXXXX`) is renamed within
/// milliseconds; one this old was left by a writer killed mid-write (kill
/// -9, a power cut). Every backup has a name of its own, so no later write
/// of the same name would ever remove it: the next backup does.
const ABANDONED_AFTER: std::time::Duration = std::time::Duration::from_secs(600);

/// Removes abandoned temporary files from the backups directory; best
/// effort (a file another process removes meanwhile, or cannot be read, is
/// left to the next backup).
fn remove_abandoned_temps(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !(name.starts_with('.') && name.contains(".tmp-")) {
            continue;
        }
        let abandoned = entry
            .metadata()
            .ok()
            .filter(std::fs::Metadata::is_file)
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > ABANDONED_AFTER);
        if abandoned {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Reads a backup file name: `<zone>_<timestamp>.yaml`.
pub fn parse_name(path: &Path) -> Option<(String, DateTime<Utc>)> {
    let name = path.file_name()?.to_str()?.strip_suffix(".yaml")?;
    let (zone, stamp) = name.rsplit_once('_')?;
    let naive = NaiveDateTime::parse_from_str(stamp, STAMP).ok()?;
    Some((zone.to_string(), naive.and_utc()))
}

/// Backups in `dir` (of `zone` only, if given), newest first.
pub fn list(dir: &Path, zone: Option<&str>) -> std::io::Result<Vec<Backup>> {
    let want = zone.map(|z| z.trim_end_matches('.').to_ascii_lowercase());
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let path = entry?.path();
        if let Some((z, taken)) = parse_name(&path) {
            if want.as_ref().is_none_or(|w| *w == z) {
                out.push(Backup {
                    path,
                    zone: z,
                    taken,
                });
            }
        }
    }
    out.sort_by(|a, b| b.taken.cmp(&a.taken).then_with(|| a.zone.cmp(&b.zone)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use zone::Name;

    #[test]
    fn a_killed_writers_temporary_file_is_removed_by_the_next_backup() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir
            .path()
            .join(".example.com_20261101T000000.000000Z.yaml.tmp-AbCdEf");
        let young = dir
            .path()
            .join(".example.com_20261204T000000.000000Z.yaml.tmp-GhIjKl");
        for p in [&old, &young] {
            std::fs::write(p, "half a backup").unwrap();
        }
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        std::fs::File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_modified(hour_ago)
            .unwrap();
        let zone = Zone::new(Name::parse_fqdn("example.com.").unwrap());
        write(dir.path(), &zone, "test").unwrap();
        assert!(!old.exists(), "abandoned long ago: removed");
        // Maybe another process's write under way: kept.
        assert!(young.exists());
    }

    #[test]
    fn names_sort_by_time_and_never_collide() {
        let dir = tempfile::tempdir().unwrap();
        let z = zone::parse_zone_yaml(
            "a: {type: A, value: 192.0.2.1}\n",
            &Name::parse_fqdn("example.com.").unwrap(),
            "t",
        )
        .unwrap();
        let paths: Vec<PathBuf> = (0..50)
            .map(|_| write(dir.path(), &z, "test").unwrap())
            .collect();
        let mut sorted = paths.clone();
        sorted.sort();
        assert_eq!(sorted, paths, "lexical order is time order");
        sorted.dedup();
        assert_eq!(sorted.len(), 50);
        let listed = list(dir.path(), Some("example.com")).unwrap();
        assert_eq!(listed.len(), 50);
        assert_eq!(listed[0].path, paths[49], "newest first");
        assert!(list(dir.path(), Some("example.org")).unwrap().is_empty());
        // The snapshot reads back as the zone it was taken of.
        let text = std::fs::read_to_string(&paths[0]).unwrap();
        assert_eq!(zone::parse_zone_yaml(&text, &z.origin, "b").unwrap(), z);
    }

    #[test]
    fn parses_names() {
        let (z, t) = parse_name(Path::new(
            "backups/home.example.com_20261122T035626.123456Z.yaml",
        ))
        .unwrap();
        assert_eq!(z, "home.example.com");
        assert_eq!(t.format(STAMP).to_string(), "20261122T035626.123456Z");
        assert!(parse_name(Path::new("backups/notes.yaml")).is_none());
    }
}
