//! The sync engine (provider::sync) on local zone files: what a push
//! guarantees whatever calls it (dnsctl, and later the broker and GitOps
//! plans): nothing written unless every zone can be applied, every backup on
//! disk before the first write, progress to the end, a revert that is exact.

use provider::sync::{self, Revert, SyncError};
use provider::Config;
use std::path::Path;
use std::sync::Mutex;

const CONFIG: &str = "providers:\n  local: {type: local, directory: live}\nzones:\n  a.test: {provider: local}\n  b.test: {provider: local}\n";

/// A zone file with `n` A records (and the SOA a live file has).
fn zone_text(zone: &str, n: usize, last_octet: u8) -> String {
    let mut t =
        format!("$ORIGIN {zone}.\n@ 3600 IN SOA ns1.{zone}. h.{zone}. 1 7200 3600 1209600 3600\n");
    for i in 0..n {
        t.push_str(&format!("h{i} 300 IN A 192.0.2.{last_octet}\n"));
    }
    t
}

fn yaml(n: usize, last_octet: u8) -> String {
    (0..n)
        .map(|i| format!("h{i}: {{type: A, ttl: 300, value: 192.0.2.{last_octet}}}\n"))
        .collect()
}

fn project(live: &[(&str, String)], desired: &[(&str, String)]) -> (tempfile::TempDir, Config) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("dnsctl.yaml"), CONFIG).unwrap();
    for sub in ["live", "zones"] {
        std::fs::create_dir(root.join(sub)).unwrap();
    }
    for (zone, text) in live {
        std::fs::write(root.join(format!("live/{zone}.zone")), text).unwrap();
    }
    for (zone, text) in desired {
        std::fs::write(root.join(format!("zones/{zone}.yaml")), text).unwrap();
    }
    let cfg = Config::load(&root.join("dnsctl.yaml")).unwrap();
    (dir, cfg)
}

fn live(root: &Path, zone: &str) -> String {
    std::fs::read_to_string(root.join(format!("live/{zone}.zone"))).unwrap()
}

#[tokio::test]
async fn one_unsafe_zone_refuses_the_whole_push_before_anything_is_written() {
    // a.test changes one record of 20; b.test would lose all 20.
    let (dir, cfg) = project(
        &[
            ("a.test", zone_text("a.test", 20, 1)),
            ("b.test", zone_text("b.test", 20, 1)),
        ],
        &[("a.test", yaml(20, 2)), ("b.test", String::new())],
    );
    let before = (live(dir.path(), "a.test"), live(dir.path(), "b.test"));
    let plans = sync::plan_all(&cfg, sync::select(&cfg, &[]).unwrap())
        .await
        .unwrap();
    let err = sync::ready(plans, false).unwrap_err();
    assert!(matches!(err, SyncError::Unsafe(_)), "{err:?}");
    assert_eq!(
        before,
        (live(dir.path(), "a.test"), live(dir.path(), "b.test"))
    );
    assert!(!dir.path().join("backups").exists());
    // Forced, both go through.
    let plans = sync::plan_all(&cfg, sync::select(&cfg, &[]).unwrap())
        .await
        .unwrap();
    let applied = sync::ready(plans, true)
        .unwrap()
        .back_up(&cfg.backups_dir)
        .unwrap()
        .apply(&|_, _, _| {})
        .await
        .iter()
        .all(|a| a.result.is_ok());
    assert!(applied);
    assert!(live(dir.path(), "a.test").contains("192.0.2.2"));
    assert!(!live(dir.path(), "b.test").contains("h0"));
}

#[tokio::test]
async fn no_zone_is_changed_when_a_backup_cannot_be_written() {
    let (dir, cfg) = project(
        &[("a.test", zone_text("a.test", 2, 1))],
        &[("a.test", yaml(2, 2))],
    );
    // The backups directory cannot be created: a file is in its place.
    std::fs::write(&cfg.backups_dir, "not a directory").unwrap();
    let before = live(dir.path(), "a.test");
    let plans = sync::plan_all(&cfg, sync::select(&cfg, &["a.test".into()]).unwrap())
        .await
        .unwrap();
    let err = sync::ready(plans, false)
        .unwrap()
        .back_up(&cfg.backups_dir)
        .unwrap_err();
    assert!(matches!(err, SyncError::Backup { .. }), "{err:?}");
    assert!(err.to_string().contains("nothing was changed"), "{err}");
    assert_eq!(before, live(dir.path(), "a.test"));
}

#[tokio::test]
async fn every_zone_reports_progress_to_the_end_and_a_revert_is_exact() {
    let (dir, cfg) = project(
        &[
            ("a.test", zone_text("a.test", 3, 1)),
            ("b.test", zone_text("b.test", 1, 1)),
        ],
        &[("a.test", yaml(5, 2)), ("b.test", yaml(1, 1))],
    );
    let plans = sync::plan_all(&cfg, sync::select(&cfg, &[]).unwrap())
        .await
        .unwrap();
    let ready = sync::ready(plans, false).unwrap();
    // b.test already matches: only a.test is applied and backed up.
    assert_eq!(ready.plans().len(), 1);
    let backed_up = ready.back_up(&cfg.backups_dir).unwrap();
    let seen = Mutex::new(Vec::new());
    let applied = backed_up
        .apply(&|zone, done, total| seen.lock().unwrap().push((zone.to_string(), done, total)))
        .await;
    assert!(applied[0].result.is_ok(), "{:?}", applied[0].result);
    let seen = seen.into_inner().unwrap();
    assert_eq!(
        seen.last(),
        Some(&("a.test.".to_string(), 5, 5)),
        "{seen:?}"
    );
    assert!(seen.iter().all(|(_, done, total)| done <= total));

    // Reverting the backup puts the records back exactly.
    let backup = applied[0].backup.to_path_buf();
    let Revert::Push(planned) = sync::plan_revert(&cfg, &backup).await.unwrap() else {
        panic!("the live file is readable");
    };
    assert_eq!(planned.plan.counts().delete, 2);
    // The serial is the server's: the backup's older one is no change.
    assert!(
        planned
            .plan
            .changes
            .iter()
            .all(|c| c.set().rtype != zone::RType::Soa),
        "{:?}",
        planned.plan.changes
    );
    let serial = |text: &str| text.lines().find(|l| l.contains("SOA")).map(str::to_string);
    let serial_before = serial(&live(dir.path(), "a.test"));
    let results = sync::ready(vec![planned], true)
        .unwrap()
        .back_up(&cfg.backups_dir)
        .unwrap()
        .apply(&|_, _, _| {})
        .await
        .into_iter()
        .map(|a| a.result.is_ok())
        .collect::<Vec<_>>();
    assert_eq!(results, [true]);
    assert_ne!(
        serial(&live(dir.path(), "a.test")),
        serial_before,
        "moved forward"
    );
    let reverted = provider::sync::adopt(
        cfg.zone("a.test").unwrap(),
        sync::provider_of(&cfg, cfg.zone("a.test").unwrap()).unwrap(),
    )
    .await
    .unwrap();
    let text = zone::write_zone_yaml(&reverted);
    assert!(text.contains("h2:") && !text.contains("h3:"), "{text}");
    assert!(!text.contains("192.0.2.2"), "{text}");
}

#[tokio::test]
async fn a_revert_over_an_unreadable_live_file_says_so_and_replaces_it() {
    let (dir, cfg) = project(
        &[("a.test", zone_text("a.test", 1, 1))],
        &[("a.test", yaml(1, 1))],
    );
    let backup = provider::backup::write(
        &cfg.backups_dir,
        &sync::adopt(
            cfg.zone("a.test").unwrap(),
            sync::provider_of(&cfg, cfg.zone("a.test").unwrap()).unwrap(),
        )
        .await
        .unwrap(),
        "test",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("live/a.test.zone"),
        "h0 300 IN A not-an-address\n",
    )
    .unwrap();
    let Revert::OverUnreadable {
        zone,
        restored,
        path,
        why,
    } = sync::plan_revert(&cfg, &backup).await.unwrap()
    else {
        panic!("the live file does not parse");
    };
    assert!(!why.items.is_empty());
    let raw = std::fs::read(&path).unwrap();
    let kept = sync::replace_unreadable(&cfg, zone, &restored, &path, &raw)
        .await
        .unwrap();
    assert_eq!(std::fs::read(kept).unwrap(), raw);
    assert!(live(dir.path(), "a.test").contains("192.0.2.1"));
}

#[tokio::test]
async fn errors_name_what_failed() {
    let (_dir, cfg) = project(&[], &[]);
    let err = sync::select(&cfg, &["c.test".into()]).unwrap_err();
    assert!(
        matches!(&err, SyncError::UnknownZone { known, .. } if known == &["a.test", "b.test"]),
        "{err:?}"
    );
    let err = sync::plan_all(&cfg, sync::select(&cfg, &["a.test".into()]).unwrap())
        .await
        .unwrap_err();
    let SyncError::ZoneFile { zone, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(zone, "a.test");
    assert!(err.to_string().contains("dnsctl pull a.test"), "{err}");
    let err = sync::plan_revert(&cfg, Path::new("backups/notabackup.yaml"))
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::NotABackup { .. }), "{err:?}");
}
