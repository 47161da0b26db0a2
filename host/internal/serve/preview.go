package serve

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/koppel-nl/koppel/host/internal/pipeline"
)

// Planner makes previews ("Voorbeeld", koppel plan): what a task of a profile would do, with
// nothing written. An unknown profile is ErrNotFound.
type Planner interface {
	Plan(ctx context.Context, profile, task string, opts pipeline.PlanOptions) (pipeline.PlanReport, error)
}

// planTasks are the tasks a preview can be made of.
var planTasks = []string{pipeline.TaskImportOrders, pipeline.TaskExportStock, pipeline.TaskImportArticles}

// planRequest reads profile, task (default import_orders), order ids and limit from a request.
// It writes the error answer and returns false when the request is wrong.
func (s *server) planRequest(w http.ResponseWriter, r *http.Request) (string, string, pipeline.PlanOptions, bool) {
	profile := r.PathValue("p")
	q := r.URL.Query()
	task := q.Get("task")
	if task == "" {
		task = pipeline.TaskImportOrders
	}
	var opts pipeline.PlanOptions
	for _, v := range q["order"] {
		for _, id := range strings.Split(v, ",") {
			if id = strings.TrimSpace(id); id != "" {
				opts.OrderIDs = append(opts.OrderIDs, id)
			}
		}
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "limit must be a positive number")
			return "", "", opts, false
		}
		opts.Limit = min(n, MaxLimit)
	}
	switch {
	case s.opts.Planner == nil:
		writeError(w, http.StatusServiceUnavailable, "this koppel makes no previews")
		return "", "", opts, false
	case s.profile(profile) == nil:
		writeError(w, http.StatusNotFound, "unknown profile "+strconv.Quote(profile))
		return "", "", opts, false
	case !slices.Contains(planTasks, task):
		writeError(w, http.StatusBadRequest, "no preview of task "+strconv.Quote(task)+" (tasks: "+strings.Join(planTasks, ", ")+")")
		return "", "", opts, false
	case len(opts.OrderIDs) > 0 && task != pipeline.TaskImportOrders:
		writeError(w, http.StatusBadRequest, "order goes with import_orders only")
		return "", "", opts, false
	}
	return profile, task, opts, true
}

// apiPlan answers GET /api/profiles/{p}/plan?task=&order=&limit=: the preview as JSON (the
// document `koppel plan --json` prints).
func (s *server) apiPlan(w http.ResponseWriter, r *http.Request) {
	profile, task, opts, ok := s.planRequest(w, r)
	if !ok {
		return
	}
	rep, err := s.opts.Planner.Plan(r.Context(), profile, task, opts)
	if err != nil {
		status := http.StatusBadGateway
		if errors.Is(err, ErrNotFound) {
			status = http.StatusNotFound
		}
		s.log.Warn("preview failed", "profile", profile, "task", task, "error", err)
		writeError(w, status, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// previewData is what templates/preview.html renders.
type previewData struct {
	tr
	Other   string
	Profile string
	Task    string
	Tasks   []string
	Report  *pipeline.PlanReport
	Err     string
	Version string
}

// previewPage renders GET /profiles/{p}/plan: the "Voorbeeld" view of a profile.
func (s *server) previewPage(w http.ResponseWriter, r *http.Request) {
	lang := pickLang(w, r)
	d := previewData{tr: tr{lang: lang, loc: s.loc, now: s.now()}, Other: langEN, Tasks: planTasks, Version: s.opts.Version}
	if lang == langEN {
		d.Other = langNL
	}
	profile, task, opts, ok := s.planRequest(w, r)
	if !ok {
		return
	}
	d.Profile, d.Task = profile, task
	rep, err := s.opts.Planner.Plan(r.Context(), profile, task, opts)
	if err != nil {
		s.log.Warn("preview failed", "profile", profile, "task", task, "error", err)
		d.Err = err.Error()
	} else {
		d.Report = &rep
	}
	s.render(w, "preview.html", d)
}
