package sandbox

import (
	"cmp"
	"slices"
)

// Tolerance is a named behaviour a real provider may choose because the standards allow it:
// several challenges in one 401, 303 instead of 302, a lower-case "bearer", a narrowed scope.
// Switched on, the sandbox behaves that way; every check must still pass (or, where the documents
// are ambiguous, warn). A check that a tolerance makes fail would fail a conformant provider.
type Tolerance struct {
	Provider, Name, Description string
	// Clause is what allows it.
	Clause string
}

// ID is the tolerance's qualified name: provider/name.
func (t Tolerance) ID() string { return t.Provider + "/" + t.Name }

// Tolerance names; a provider lists those that apply to it.
const (
	tolInvalidClient400     = "invalid-client-400"
	tolSeveralChallenges    = "several-challenges"
	tolRedirect303          = "redirect-303"
	tolRedirect308          = "redirect-308"
	tolCacheControlList     = "cache-control-list"
	tolBearerLowerCase      = "bearer-lower-case"
	tolScopeNarrowed        = "scope-narrowed"
	tolNVNotNetworkCode     = "nv-not-network-code"
	tolExtensionErrorCodes  = "extension-error-codes"
	tolClientAuthAny        = "client-auth-basic-or-form"
	tolCommonalities06      = "commonalities-0.6"
	tolCommonalities08      = "commonalities-0.8"
	tolIDTokenAudArray      = "id-token-aud-array"
	tolLoginHintIgnored     = "login-hint-ignored"
	tolUnknownScopeRefused  = "unknown-scope-refused"
	tolRedirect302          = "redirect-302"
	commonalitiesHeader     = "x-camara-commonalities"
	codeNotAuthedByNetwork  = "NUMBER_VERIFICATION.USER_NOT_AUTHENTICATED_BY_MOBILE_NETWORK"
	extensionCodeBadBearer  = "invalid_token"
	narrowedScopeIndication = "scope"
)

// tolerance makes one provider's tolerance.
func tolerance(provider, name, clause, description string) Tolerance {
	return Tolerance{Provider: provider, Name: name, Clause: clause, Description: description}
}

// authServerTolerances are what every provider built on the shared authorization server may
// choose for its token responses and challenges.
func authServerTolerances(provider string) []Tolerance {
	return []Tolerance{
		tolerance(provider, tolSeveralChallenges, "RFC9110 11.6.1", "Every 401 offers several WWW-Authenticate challenges, Basic first."),
		tolerance(provider, tolCacheControlList, "RFC9111 5.2", "Token responses send Cache-Control: no-cache, no-store."),
		tolerance(provider, tolBearerLowerCase, "RFC6749 5.1", "Token responses say token_type bearer in lower case."),
	}
}

// clientSecretTolerances are the choices of a token endpoint whose clients authenticate with a
// secret (not Vonage's, whose applications sign a JWT).
func clientSecretTolerances(provider string) []Tolerance {
	return []Tolerance{
		tolerance(provider, tolInvalidClient400, "RFC6749 5.2", "Wrong client credentials sent without the Authorization header get 400 invalid_client, not 401."),
		tolerance(provider, tolClientAuthAny, "RFC6749 2.3.1", "The token endpoint takes client credentials by HTTP Basic and in the form, whatever the client registered."),
	}
}

// walkTolerances are the redirect statuses an authorization walk may use instead of 302.
func walkTolerances(provider string) []Tolerance {
	return []Tolerance{
		tolerance(provider, tolRedirect303, "RFC9700 4.12", "Every redirect of the authorization walk is a 303."),
		tolerance(provider, tolRedirect308, "RFC9110 15.4.9", "Every redirect of the authorization walk is a 308 (the walk's requests are GETs)."),
	}
}

// camaraTolerances are the Commonalities versions a provider's CAMARA responses may announce.
func camaraTolerances(provider string) []Tolerance {
	return []Tolerance{
		tolerance(provider, tolCommonalities06, "CAMARA Commonalities 0.8 x-camara-commonalities", "CAMARA responses send x-camara-commonalities: 0.6."),
		tolerance(provider, tolCommonalities08, "CAMARA Commonalities 0.8 x-camara-commonalities", "CAMARA responses send x-camara-commonalities: 0.8.0."),
	}
}

func koneraTolerances() []Tolerance {
	own := []Tolerance{
		tolerance(koneraProvider, tolScopeNarrowed, "RFC6749 3.3", "A requested scope the client may not have is dropped from the grant instead of refused."),
		tolerance(koneraProvider, tolNVNotNetworkCode, "CAMARA NV phoneNumberVerify_403.2_not_authenticated_using_network_or_sim_based_authentication",
			"Number Verification refuses a 2-legged token as not authenticated by the mobile network."),
		tolerance(koneraProvider, tolExtensionErrorCodes, "RFC6749 8.5", "The code exchange refuses a bad bearer with invalid_token, a registered extension code."),
	}
	return slices.Concat(authServerTolerances(koneraProvider), clientSecretTolerances(koneraProvider), walkTolerances(koneraProvider), camaraTolerances(koneraProvider), own)
}

func pxgTolerances() []Tolerance {
	own := []Tolerance{
		tolerance(pxgProvider, tolIDTokenAudArray, "OIDC Core 2", "id_tokens name their audience as an array holding the client id."),
	}
	return slices.Concat(authServerTolerances(pxgProvider), clientSecretTolerances(pxgProvider), walkTolerances(pxgProvider), camaraTolerances(pxgProvider), own)
}

// Tolerances lists every tolerance of every provider, sorted by provider and name.
func Tolerances() []Tolerance {
	var all []Tolerance
	for _, spec := range providerSpecs() {
		if spec.tolerances != nil {
			all = append(all, spec.tolerances()...)
		}
	}
	slices.SortFunc(all, func(a, b Tolerance) int {
		return cmp.Or(cmp.Compare(a.Provider, b.Provider), cmp.Compare(a.Name, b.Name))
	})
	return all
}

// ProviderTolerances lists one provider's tolerances, sorted by name.
func ProviderTolerances(provider string) []Tolerance {
	var out []Tolerance
	for _, t := range Tolerances() {
		if t.Provider == provider {
			out = append(out, t)
		}
	}
	return out
}

// ResolveTolerances sorts the tolerances a person named by the sandbox they apply to, as
// ResolveFaults does faults.
func ResolveTolerances(names, providers []string) (map[string][]string, error) {
	return resolveNames("tolerance", names, providers, func(provider, name string) bool {
		return slices.ContainsFunc(ProviderTolerances(provider), func(t Tolerance) bool { return t.Name == name })
	})
}

func vonageTolerances() []Tolerance {
	// Number Verification v0.3.1 predates x-camara-commonalities, so the version tolerances are
	// not Vonage's.
	return slices.Concat(authServerTolerances(vonageProvider), walkTolerances(vonageProvider), []Tolerance{
		tolerance(vonageProvider, tolRedirect302, "RFC9110 15.4.3", "Every redirect of the authorization walk is a 302 (the seed shows 301)."),
		tolerance(vonageProvider, tolLoginHintIgnored, "CAMARA ICM login_hint", "The authorization ignores login_hint: a walk for another number authorizes the device."),
		tolerance(vonageProvider, tolUnknownScopeRefused, "seed 004 Network Enablement", "Network enablement refuses a request naming a scope the application may not use (403), instead of an error for that scope."),
	})
}

func konektTolerances() []Tolerance {
	t := func(name, clause, description string) Tolerance {
		return tolerance(konektProvider, name, clause, description)
	}
	return []Tolerance{
		t(tolFailureWithData, "Hologram API envelope", "Failed answers carry an empty data object besides success false and error."),
		t(tolSensitiveRefused401, "seed 002 API Keys", "The key endpoint refuses an API key with 401 instead of 403."),
		t(tolCookieAttributes, "RFC6265 4.1.1", "The session cookie also carries SameSite=Lax and Max-Age."),
		t(tolSeveralChallenges, "RFC9110 11.6.1", "Every 401 offers several WWW-Authenticate challenges, Basic first."),
		t(tolLoginRefused400, "Hologram API envelope", "A wrong password at login gets 400 (success false), not 401."),
		t(tolIdleGrace, "seed 002 Session", "An idle session ends 30 seconds after its 20 minutes, as an expiry job that runs once a minute would end it."),
		t(tolBasicCharset, "RFC7617 2", "The Basic challenge names a charset (UTF-8) besides the realm."),
	}
}

func kpnTolerances() []Tolerance {
	t := func(name, clause, description string) Tolerance {
		return tolerance(kpnProvider, name, clause, description)
	}
	return []Tolerance{
		t(tolKPNPendingAbsent, "seed 003 Polling", "Polling before the match leaves device_match out instead of null."),
		t(tolKPNOperatorCodes, "seed 003 Insights", "operator_lookup gives mcc and mnc (204, 08) instead of null."),
		t(tolKPNErrorCode400, "KPN OpenAPI errors", "Every error body says error_code 400, whatever the status, as KPN's own examples do."),
		t(tolBearerLowerCase, "RFC6749 5.1", "Token responses say token_type bearer in lower case."),
		t(tolSeveralChallenges, "RFC9110 11.6.1", "Every 401 offers several WWW-Authenticate challenges, Basic first."),
	}
}
