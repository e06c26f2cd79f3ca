//! Long work shows progress on stderr on a terminal (a push: a bar per zone;
//! an ACME wait: the server waited for), and nothing of the kind without one.

use dnsctl_e2e::{binary, Project};
use testkit::Emulator;

const TOKEN: &str = "cf-progress-token";

fn setup() -> (Emulator, Project) {
    let emu = Emulator::start_in_thread();
    emu.add_token(TOKEN);
    let p = Project::new();
    let mut config = format!(
        "providers:\n  cf:\n    type: cloudflare\n    token: {{env: CF_PROGRESS_TOKEN}}\n    base_url: {}\n    batch_size: 20\nzones:\n",
        emu.base_url()
    );
    for zone in ["example.com", "example.org"] {
        emu.add_zone(zone);
        config.push_str(&format!("  {zone}: {{provider: cf}}\n"));
        p.write(&format!("zones/{zone}.yaml"), &dnsctl_e2e::big_zone(400));
    }
    p.write("dnsctl.yaml", &config);
    (emu, p)
}

/// Runs `dnsctl ARGS` in the project on a pseudo-terminal (script(1) gives
/// it one); returns whether it succeeded and what the screen showed.
fn on_a_terminal(p: &Project, args: &str) -> (bool, String) {
    let bin = binary("dnsctl", "dnsctl");
    let out = std::process::Command::new("script")
        .args(["-qec", &format!("{} {args}", bin.display()), "/dev/null"])
        .current_dir(p.dir.path())
        .env("NO_COLOR", "1")
        .env("CF_PROGRESS_TOKEN", TOKEN)
        .env("TERM", "xterm")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script (util-linux) runs the command on a pseudo-terminal");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn push_shows_progress_only_on_a_terminal() {
    let (_emu, p) = setup();
    let env = [("CF_PROGRESS_TOKEN", TOKEN)];
    // No terminal: no bar, and the output is what scripts parse.
    let r = p.dnsctl_env(&["push", "--yes"], &env).expect(0);
    assert!(!r.stderr().contains("changes applied"), "{}", r.stderr());
    assert!(!r.stderr().contains('\r'), "{:?}", r.stderr());

    // On a terminal (script(1) gives it one), a bar per zone.
    let (_emu, p) = setup();
    let (ok, screen) = on_a_terminal(&p, "push --yes");
    assert!(ok, "{screen}");
    for zone in ["example.com", "example.org"] {
        assert!(
            screen.contains(&format!("{zone}: [")) && screen.contains("changes applied"),
            "no progress bar for {zone}:\n{screen}"
        );
        assert!(screen.contains(&format!("to {zone} in")), "{screen}");
    }
}

#[test]
fn acme_wait_says_which_server_it_waits_for_only_on_a_terminal() {
    let p = Project::new();
    p.write(
        "dnsctl.yaml",
        "providers:\n  local: {type: local, directory: live}\nzones:\n  example.com: {provider: local}\n",
    );
    // A server that never answers: the wait lasts its whole timeout.
    let silent = format!("127.0.0.1:{}", testkit::servers::free_port());
    let args =
        format!("acme wait _acme-challenge.example.com -v4lue --timeout 2 --nameserver {silent}");
    let r = p.dnsctl(&args.split(' ').collect::<Vec<_>>()).expect(1);
    assert!(!r.stderr().contains("waiting for"), "{}", r.stderr());
    let (_, screen) = on_a_terminal(&p, &args);
    assert!(
        screen.contains(&format!("waiting for {silent}: no answer")) && screen.contains(" s of 2"),
        "{screen}"
    );
}

#[test]
fn every_provider_gets_a_bar_per_zone_on_a_terminal() {
    let p = Project::new();
    p.write(
        "dnsctl.yaml",
        "providers:\n  local: {type: local, directory: live}\nzones:\n  example.com: {provider: local}\n  example.org: {provider: local}\n",
    );
    for zone in ["example.com", "example.org"] {
        p.write(&format!("zones/{zone}.yaml"), &dnsctl_e2e::big_zone(50));
    }
    let (ok, screen) = on_a_terminal(&p, "push --yes");
    assert!(ok, "{screen}");
    for zone in ["example.com", "example.org"] {
        assert!(
            screen.contains(&format!("{zone}: [")) && screen.contains("changes applied"),
            "no progress bar for {zone}:\n{screen}"
        );
    }
}
