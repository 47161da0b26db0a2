package profiledoc

//go:generate go test -run TestProfilesDocMatchesSchemas -update .
