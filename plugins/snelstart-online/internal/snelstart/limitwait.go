package snelstart

import (
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/sdk/callbudget"
)

// limitWaitQuiet is how long after a warning about the hourly limit no other is logged (the
// workers of one import all meet the same full window, and after a long wait the hour's calls
// come free one by one, each followed by a short wait).
const limitWaitQuiet = 10 * time.Minute

// limitWaitLog turns the waits of the administration's call budget into log lines: a wait for
// the minute window at debug level (it is short and routine at the limit), a wait for the
// hourly window as a warning saying how long, why and what the bookkeeper can do, at most once
// per limitWaitQuiet.
type limitWaitLog struct {
	log    hclog.Logger
	plan   string
	hourly int
	now    func() time.Time

	mu         sync.Mutex
	quietUntil time.Time
}

// note is the callbudget.Budget OnWait function.
func (l *limitWaitLog) note(w callbudget.Window, wait time.Duration) {
	if w.Period < time.Hour {
		l.log.Debug("waiting for SnelStart's limit of calls a minute", "limit", w.Limit, "wait", wait.Round(time.Millisecond))
		return
	}
	now := l.now()
	l.mu.Lock()
	quiet := now.Before(l.quietUntil)
	if !quiet {
		l.quietUntil = now.Add(max(wait, limitWaitQuiet))
	}
	l.mu.Unlock()
	if quiet {
		l.log.Debug("waiting for SnelStart's limit of calls an hour", "limit", w.Limit, "wait", wait.Round(time.Millisecond))
		return
	}
	l.log.Warn(l.message(w, wait, now))
}

// message is the warning for a wait of wait on the hourly window w that begins at now.
func (l *limitWaitLog) message(w callbudget.Window, wait time.Duration, now time.Time) string {
	msg := fmt.Sprintf("SnelStart's limit of %d calls an hour for this administration is used up (hourly_limit, shared by every profile and koppel run on this computer): calls wait %s, until %s, and then continue by themselves.",
		w.Limit, wait.Round(time.Second), now.Add(wait).Local().Format("15:04:05"))
	switch {
	case l.plan == PlanTest && w.Limit == l.hourly && l.hourly == planLimits[PlanTest].perHour:
		return msg + fmt.Sprintf(" This is the limit of SnelStart's test plan; with a paid API plan (Maatwerk or Productie, %d calls an hour) set plan = \"paid\" in the ledger block.", planLimits[PlanPaid].perHour)
	case l.plan == PlanPaid && w.Limit == planLimits[PlanPaid].perHour:
		return msg + " This is the limit of SnelStart's paid plan; spread large imports over more hours, or ask SnelStart for a higher limit and set hourly_limit to it."
	default:
		return msg + fmt.Sprintf(" hourly_limit is set to %d in the ledger block; raise it if your SnelStart API plan allows more calls an hour (test plan %d, paid plan %d, chosen with plan = \"test\" or \"paid\").",
			w.Limit, planLimits[PlanTest].perHour, planLimits[PlanPaid].perHour)
	}
}
