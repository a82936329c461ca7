//! A real IRC server for the tests: Debian's `ngircd`, started in the foreground on
//! 127.0.0.1 on a free port with a generated configuration in a temporary directory,
//! killed (and its directory removed) on drop. Where `ngircd` is missing the test
//! fails, under CI and elsewhere: an IRC test never passes without a server.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const NGIRCD: &str = "/usr/sbin/ngircd";
const INSTALL_HINT: &str = "install it with `apt-get install ngircd` (.ci/run does)";

pub struct IrcServer {
    child: Child,
    dir: PathBuf,
    pub port: u16,
    /// With [`IrcServer::start_tls`]: the TLS port, and the server's self-signed
    /// certificate (DER), which a client must trust.
    pub tls: Option<(u16, PathBuf)>,
}

fn spawn(binary: &std::path::Path, conf: &std::path::Path) -> Child {
    Command::new(binary)
        .arg("-n")
        .arg("-f")
        .arg(conf)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}; {INSTALL_HINT}", binary.display()))
}

impl IrcServer {
    /// Starts ngircd and waits until it accepts connections.
    pub async fn start() -> IrcServer {
        Self::start_with(false).await
    }

    /// As [`IrcServer::start`], also listening with TLS on a second port, with a
    /// self-signed certificate for 127.0.0.1 made by `openssl`.
    pub async fn start_tls() -> IrcServer {
        Self::start_with(true).await
    }

    async fn start_with(tls: bool) -> IrcServer {
        let binary = find_ngircd();
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("warroom-ngircd-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(dir.join("conf.d")).expect("ngircd temp dir");
        // Run as root, ngircd drops to ServerUID and must still write its pid file.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777));
        }
        let conf = dir.join("ngircd.conf");
        let mut text = config(port, &dir);
        let tls = tls.then(|| {
            let tls_port = free_port();
            text.push_str(&self_signed(&dir, tls_port));
            (tls_port, dir.join("ca.der"))
        });
        std::fs::write(&conf, text).expect("write ngircd.conf");
        let child = spawn(&binary, &conf);
        let server = IrcServer {
            child,
            dir,
            port,
            tls,
        };
        server.wait_until_listening().await;
        server
    }

    /// Kills the server (every connection drops), then starts it again on the same
    /// port with the same configuration: an IRC server restarting.
    pub async fn restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(self.dir.join("ngircd.pid"));
        // The port may take a moment to be free again.
        tokio::time::sleep(Duration::from_millis(200)).await;
        self.child = spawn(&find_ngircd(), &self.dir.join("ngircd.conf"));
        self.wait_until_listening().await;
    }

    async fn wait_until_listening(&self) {
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!(
            "ngircd did not listen on 127.0.0.1:{} within 5 s",
            self.port
        );
    }
}

impl Drop for IrcServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn find_ngircd() -> PathBuf {
    let debian = PathBuf::from(NGIRCD);
    if debian.is_file() {
        return debian;
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join("ngircd"))
        .find(|c| c.is_file());
    match on_path {
        Some(found) => found,
        None if super::in_ci() => {
            panic!("ngircd is missing and CI must run the IRC fallback tests; {INSTALL_HINT}")
        }
        None => panic!(
            "ngircd is missing: the IRC fallback tests need a real server and do not \
             pass without one; {INSTALL_HINT}"
        ),
    }
}

/// A key and self-signed certificate for 127.0.0.1 in `dir` (and the certificate
/// as DER, `ca.der`), and the `[SSL]` section that serves them on `port`.
fn self_signed(dir: &std::path::Path, port: u16) -> String {
    let (key, cert) = (dir.join("key.pem"), dir.join("cert.pem"));
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("the TLS test needs the openssl command: {e}"));
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let (key_s, cert_s) = (key.to_string_lossy(), cert.to_string_lossy());
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-keyout",
        &key_s,
        "-out",
        &cert_s,
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
    ]);
    let der = dir.join("ca.der");
    run(&[
        "x509",
        "-in",
        &cert_s,
        "-outform",
        "der",
        "-out",
        &der.to_string_lossy(),
    ]);
    #[cfg(unix)]
    {
        // ngircd reads them after dropping to ServerUID.
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644));
    }
    format!("[SSL]\nCertFile = {cert_s}\nKeyFile = {key_s}\nPorts = {port}\n")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The smallest configuration ngircd accepts: no TLS, no ident/DNS/PAM lookups (they
/// slow every login), no flood limit per IP, and no system include directory.
fn config(port: u16, dir: &std::path::Path) -> String {
    format!(
        "[Global]\n\
         Name = irc.warroom.test\n\
         Info = Warroom test server\n\
         AdminInfo1 = tests\nAdminInfo2 = tests\nAdminEMail = tests@example.invalid\n\
         Listen = 127.0.0.1\n\
         Ports = {port}\n\
         PidFile = {pid}\n\
         ServerUID = 65534\n\
         ServerGID = 65534\n\
         [Limits]\n\
         MaxConnectionsIP = 0\n\
         [Options]\n\
         Ident = no\n\
         PAM = no\n\
         DNS = no\n\
         IncludeDir = {inc}\n",
        pid = dir.join("ngircd.pid").display(),
        inc = dir.join("conf.d").display(),
    )
}
