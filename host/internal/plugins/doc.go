// Package plugins is the host's plugin supervisor: it finds koppel-plugin-* binaries in the
// plugin_dir, checks them against the lock file, starts one process per plugin binary (shared by
// every profile that uses it), restarts a process that died on the next call, and stops them all
// when the host stops.
//
// # Discovery
//
// Discover lists the files named koppel-plugin-NAME in a directory (koppel-plugin-NAME.exe on
// Windows). NAME is lower-case letters, digits, "-" and "_"; other files (koppel-plugin-x.bak,
// koppel-plugin-x~) are ignored.
//
// # Lock file
//
// The lock file is koppel-plugins.lock in the plugin_dir (see LockFileName and LockFile). It is
// indented JSON, one entry per plugin, written by `koppel plugins lock` (Lock / Manager.Lock):
//
//	{
//	  "_comment": "Written by \"koppel plugins lock\" ...",
//	  "version": 1,
//	  "plugins": {
//	    "woocommerce": {
//	      "file": "koppel-plugin-woocommerce",
//	      "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
//	      "kind": "shop",
//	      "version": "1.0.0",
//	      "protocol": 1,
//	      "sdk_version": "0.1.0"
//	    }
//	  }
//	}
//
// When a plugin is started, the lock's sha256 goes into go-plugin's SecureConfig, which hashes
// the binary and refuses to run it when the hash differs. A binary that changed since it was
// locked is always refused, with a message that says to run "koppel plugins lock". A binary that
// is not in the lock file is refused too, unless the Manager was created with
// Options.AllowUnlocked (for tests and development; `koppel demo` locks its directory first).
//
// # Processes
//
// Manager.Shop and Manager.Ledger return sdk.Shop / sdk.Ledger values whose calls go through the
// Manager: when the plugin process has exited, the next call starts it again and configures the
// instance again. The call that was in flight when the process died fails with the error
// sdk/plugin produces: sdk.KindRetryable, or sdk.KindOutcomeUnknown for a create. A plugin that
// keeps dying is restarted with a growing delay (up to 30 s); calls in that window fail with
// sdk.KindRetryable and RetryAfter set.
//
// No plugin process outlives the host: Manager.Close stops them all (graceful, then forced after
// 2 s); the CLI calls it on SIGINT/SIGTERM. On Linux each plugin is started with
// Pdeathsig=SIGKILL, so the kernel kills it when the host dies without closing (SIGKILL, crash);
// on every OS the plugin side (sdk/plugin.Serve) also exits when its parent process is gone.
//
// # Logging
//
// Plugin log lines (hclog JSON on the plugin's stderr) are re-logged through Options.Logger,
// named after the plugin, at their own level. The Manager never logs a plugin configuration.
package plugins
