package conformance

// TB is the part of *testing.T the kit reports through. Fatalf and Skipf must stop the calling
// goroutine (as *testing.T does with runtime.Goexit); the kit calls them only on the goroutine
// that Run started.
type TB interface {
	Helper()
	Name() string
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
	Failed() bool
}

// Runner is a TB that runs named subtests of its own type. *testing.T satisfies
// Runner[*testing.T], so connector tests call conformance.TestShop(t, h) with their t; the kit's
// own tests use a recorder that satisfies Runner[*recorder] to check that the kit fails when it
// should.
type Runner[T any] interface {
	TB
	Run(name string, f func(T)) bool
}
