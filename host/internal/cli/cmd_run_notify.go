package cli

import (
	"context"
	"time"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/notify"
	"github.com/koppel-nl/koppel/host/internal/pipeline"
)

// notifyFlushEvery is how often the daemon sends the daily digests that became due.
const notifyFlushEvery = time.Minute

// setNotifier makes a notifier for cfg's smtp block and redactor (on start and on reload).
func (d *daemon) setNotifier(cfg *config.Config) {
	d.notifier.Store(notify.New(notify.Options{Store: d.store, SMTP: cfg.Koppel.SMTP, Redact: cfg.Redactor(),
		Logger: d.log.Named("notify")}))
}

// notifyAfterRun records what the run leaves for a person (a failed run, orders parked, new
// attention items) and sends it per the profile's notify block. A failure to send is logged
// and tried again after the next run; it never fails the run.
func (d *daemon) notifyAfterRun(profile, task string, tr pipeline.TaskRun, runErr error) {
	n := d.notifier.Load()
	p := d.profileNamed(profile)
	if n == nil || p == nil || p.Notify == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if runErr != nil {
		if _, err := n.Record(ctx, p, notify.TaskFailedEvent(profile, task, tr.Start, runErr)); err != nil {
			d.log.Warn("alert about the failed task not sent yet", "profile", profile, "error", err)
		}
	}
	if err := n.Sweep(ctx, p); err != nil {
		d.log.Warn("alerts not sent yet", "profile", profile, "error", err)
	}
}

// flushDigests sends the daily digests that are due, every notifyFlushEvery until ctx ends.
func (d *daemon) flushDigests(ctx context.Context) {
	t := time.NewTicker(notifyFlushEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n := d.notifier.Load()
		if n == nil {
			continue
		}
		for _, p := range d.profiles() {
			if p.Notify == nil {
				continue
			}
			if err := n.Flush(ctx, p); err != nil {
				d.log.Warn("alert digest not sent yet", "profile", p.Name, "error", err)
			}
		}
	}
}

// notifyAfterSync does for a `koppel sync` run what the daemon does after every run: the
// profile's alerts are recorded and sent (with digest = "daily" they wait for the daemon's
// next digest, or the next sync after the digest hour). A failure to send is a warning.
func (a *app) notifyAfterSync(ctx context.Context, s *profileSession, task string, tr pipeline.TaskRun, runErr error) {
	if s.profile == nil || s.profile.Notify == nil || s.store == nil {
		return
	}
	n := notify.New(notify.Options{Store: s.store, SMTP: s.koppel.SMTP, Redact: s.redact, Logger: a.logger().Named("notify")})
	if runErr != nil {
		if _, err := n.Record(ctx, s.profile, notify.TaskFailedEvent(s.profile.Name, task, tr.Start, runErr)); err != nil {
			a.logger().Warn("alert about the failed task not sent yet", "error", err)
		}
	}
	if err := n.Sweep(ctx, s.profile); err != nil {
		a.logger().Warn("alerts not sent yet", "error", err)
	}
}
