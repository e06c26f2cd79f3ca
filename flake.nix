{
  description = "dnsctl toolkit: DNS as code (preview, push, revert) and SOPS secrets in git";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
      bins = [ "dnsctl" "secretctl" ];
    in
    {
      packages = forAllSystems (pkgs: rec {
        dnsctl-toolkit = pkgs.rustPlatform.buildRustPackage {
          pname = "dnsctl-toolkit";
          version = (builtins.fromTOML (builtins.readFile ./Cargo.toml)).workspace.package.version;
          src = pkgs.lib.cleanSourceWith {
            src = ./.;
            filter = path: type:
              let base = baseNameOf path;
              in !(builtins.elem base [ "target" "live" "backups" "secrets" ".git" ]);
          };
          cargoLock.lockFile = ./Cargo.lock;
          cargoBuildFlags = [ "--workspace" "--bins" ];
          # The test suite starts real servers (BIND, PowerDNS, pebble) and the
          # real sops; it runs in CI through ./scripts/test.sh, not in the sandbox.
          doCheck = false;
          meta = {
            description = "DNS as code and SOPS secrets for homelabs and small fleets";
            license = with pkgs.lib.licenses; [ mit asl20 ];
            mainProgram = "dnsctl";
          };
        };
        default = dnsctl-toolkit;
      });

      apps = forAllSystems (pkgs:
        let
          pkg = self.packages.${pkgs.system}.default;
          app = bin: { type = "app"; program = "${pkg}/bin/${bin}"; };
        in
        (nixpkgs.lib.genAttrs bins app) // { default = app "dnsctl"; });

      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          packages = with pkgs; [
            cargo
            rustc
            rustfmt
            clippy
            cargo-nextest
            cargo-fuzz
            # Peers and servers the tests drive.
            age
            sops
            bind
            knot-dns
            pdns
            pebble
            lego
            certbot
            # unshare and ip: the verify test's private network namespace.
            util-linux
            iproute2
          ];
        };
      });

      overlays.default = final: _prev: {
        dnsctl-toolkit = self.packages.${final.system}.default;
      };

      nixosModules.default = { config, lib, pkgs, ... }:
        let cfg = config.programs.dnsctl;
        in {
          options.programs.dnsctl = {
            enable = lib.mkEnableOption "the dnsctl toolkit (dnsctl and secretctl)";
            package = lib.mkOption {
              type = lib.types.package;
              default = self.packages.${pkgs.system}.default;
              defaultText = lib.literalExpression "dnsctl.packages.\${system}.default";
              description = "The dnsctl toolkit package to install.";
            };
          };
          config = lib.mkIf cfg.enable {
            environment.systemPackages = [ cfg.package ];
          };
        };
    };
}
