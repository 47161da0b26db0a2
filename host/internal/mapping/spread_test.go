package mapping

import (
	"fmt"
	"testing"

	"github.com/koppel-nl/koppel/sdk"
)

// Allocate splits to the cent, exactly, in proportion.
func TestAllocate(t *testing.T) {
	for _, c := range []struct {
		amount  string
		weights []string
		want    string
	}{
		{"10.00", []string{"1", "1", "1"}, "[3.34 3.33 3.33]"},
		{"-10.00", []string{"1", "1", "1"}, "[-3.34 -3.33 -3.33]"},
		{"0.01", []string{"5", "10"}, "[0 0.01]"},
		{"7.77", []string{"0", "2"}, "[0 7.77]"},
	} {
		var ws []sdk.Money
		for _, w := range c.weights {
			ws = append(ws, d(w))
		}
		if got := fmt.Sprint(Allocate(d(c.amount), ws)); got != c.want {
			t.Errorf("Allocate(%s, %v) = %s, want %s", c.amount, c.weights, got, c.want)
		}
	}
	if Allocate(d("1"), []sdk.Money{d("0")}) != nil {
		t.Error("zero weights must give nil")
	}
}

// reachable moves the cents a quantity cannot take (10.00 over 3 at prices in cents) to a line
// that can, so the sum stays exact.
func TestReachableMovesMissedCents(t *testing.T) {
	totals := []sdk.Money{d("10.00"), d("5.00")}
	prices := reachable(totals, []sdk.Money{d("3"), d("1")}, true)
	if fmt.Sprint(prices) != "[3.33 5.01]" || fmt.Sprint(totals) != "[9.99 5.01]" {
		t.Fatalf("prices %v totals %v", prices, totals)
	}
	totals = []sdk.Money{d("10.00"), d("5.00")}
	if prices := reachable(totals, []sdk.Money{d("3"), d("1")}, false); fmt.Sprint(prices) != "[3.333 5]" {
		t.Fatalf("with 4 decimals: %v", prices)
	}
}
