package serve

import (
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/host/internal/pipeline"
)

// A stored run that never finished shows as aborted ("Afgebroken") unless it is running in this
// process; one closed as aborted by a later run too; finished runs keep their result.
func TestRecordResultOfUnfinishedRuns(t *testing.T) {
	rec := func(r pipeline.RunRecord) pipeline.TaskRunRecord { return pipeline.TaskRunRecord{RunRecord: r} }
	cases := []struct {
		name string
		rec  pipeline.TaskRunRecord
		want string
	}{
		{"killed in another process", rec(pipeline.RunRecord{InProgress: true, Owner: "elders/1"}), ResultAborted},
		{"closed as aborted by a later run", rec(pipeline.RunRecord{Aborted: true}), ResultAborted},
		{"still running here", rec(pipeline.RunRecord{InProgress: true, Owner: pipeline.ProcessOwner()}), ResultRunning},
		{"finished", rec(pipeline.RunRecord{}), ResultOK},
		{"finished with an error", rec(pipeline.RunRecord{Error: "shop unreachable"}), ResultError},
	}
	for _, c := range cases {
		if got := recordResult(c.rec); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	for _, lang := range []string{"result.aborted", "result.running"} {
		if nl, en := (tr{lang: langNL}).T(lang), (tr{lang: langEN}).T(lang); nl != "Afgebroken" && lang == "result.aborted" || strings.HasPrefix(nl, "??") || strings.HasPrefix(en, "??") || nl == en {
			t.Errorf("%s: nl %q, en %q", lang, nl, en)
		}
	}
}
