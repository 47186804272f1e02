package flows_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/telconform/telconform/checks"
	"github.com/telconform/telconform/flows"
	"github.com/telconform/telconform/sandbox"
)

// phone answers a device walk the way a person with the phone would: open the URL, follow it to
// the callback, and bring that URL back.
func phone(t *testing.T, asked *[]flows.InputRequest) flows.Input {
	device := sandbox.NewDevice()
	return func(ctx context.Context, req flows.InputRequest) (flows.Answer, error) {
		*asked = append(*asked, req)
		cb, err := device.Open(req.URL, req.RedirectURI)
		if err != nil {
			t.Errorf("the device could not open %s: %v", req.URL, err)
		}
		return flows.Answer{URL: cb, Via: "pasted"}, nil
	}
}

func TestDeviceWalkWithAPersonPasses(t *testing.T) {
	target, _ := koneraTarget(t, sandbox.Options{})
	target.Walk = flows.WalkDevice
	var asked []flows.InputRequest
	runner := &flows.Runner{Input: phone(t, &asked)}
	run := runner.Run(context.Background(), []*flows.Target{target}, nil)
	if d := deviations(run); len(d) > 0 || run.Status != checks.Pass {
		t.Fatalf("run %s: %v", run.Status, d)
	}
	if len(asked) != 5 || asked[0].Name != "callback_authorize" || !strings.Contains(asked[0].Prompt, "mobile data") {
		t.Errorf("asked %d times, first %+v", len(asked), asked[0])
	}
	s := stepOf(t, run, "konera.number-verification", "authorize")
	if s.Handoff == nil || !strings.Contains(s.Handoff.Callback, "code=[secret:code]") || s.Handoff.Via != "pasted" {
		t.Errorf("handoff %+v", s.Handoff)
	}
	if len(s.Exchanges) != 0 {
		t.Errorf("telconform made %d requests itself in a device walk", len(s.Exchanges))
	}
	// The unregistered redirect_uri: the phone sees an error page and brings back nothing.
	if s := stepOf(t, run, "konera.number-verification", "authorize-unregistered-redirect"); s.Handoff.Callback != "" {
		t.Errorf("the unregistered redirect came back with %q", s.Handoff.Callback)
	}
}

func TestDeviceWalkHeadlessSkipsNamingTheVariable(t *testing.T) {
	target, _ := koneraTarget(t, sandbox.Options{})
	target.Walk = flows.WalkDevice
	run := (&flows.Runner{}).Run(context.Background(), []*flows.Target{target}, nil)
	s := stepOf(t, run, "konera.number-verification", "authorize")
	if s.Status != checks.Skip || !strings.Contains(s.Reason, "--var callback_authorize=") {
		t.Errorf("authorize %s %q", s.Status, s.Reason)
	}
	if s := stepOf(t, run, "konera.number-verification", "verify-device"); s.Status != checks.Skip {
		t.Errorf("verify-device %s without a code", s.Status)
	}
	if s := stepOf(t, run, "konera.number-verification", "verify-no-token"); s.Status != checks.Pass {
		t.Errorf("steps that need no person still run: verify-no-token %s", s.Status)
	}
}

// TestDeviceWalkHeadlessFromVariables hands a headless run the callback a phone brought back,
// with the state that callback echoes.
func TestDeviceWalkHeadlessFromVariables(t *testing.T) {
	target, _ := koneraTarget(t, sandbox.Options{})
	target.Walk = flows.WalkDevice
	target.Flows = target.Flows[2:3]
	target.Flows[0] = &flows.Flow{ID: target.Flows[0].ID, Title: target.Flows[0].Title, Steps: target.Flows[0].Steps[:4]}
	q := url.Values{
		"client_id": {target.Vars["client_id"]}, "response_type": {"code"}, "state": {"st-fixed"},
		"scope":        {"openid dpv:FraudPreventionAndDetection number-verification:verify"},
		"redirect_uri": {target.Vars["redirect_uri"]}, "login_hint": {"tel:" + target.Vars["device_number"]},
	}
	cb, err := sandbox.NewDevice().Open(target.Vars["authorize_url"]+"?"+q.Encode(), target.Vars["redirect_uri"])
	if err != nil || cb == "" {
		t.Fatalf("device: %q %v", cb, err)
	}
	target.Vars["state"] = "st-fixed"
	target.Vars["callback_authorize"] = cb
	run := (&flows.Runner{}).Run(context.Background(), []*flows.Target{target}, nil)
	if d := deviations(run); len(d) > 0 || run.Status != checks.Pass {
		t.Fatalf("run %s: %v %v", run.Status, d, skippedSteps(run))
	}
	if s := stepOf(t, run, "konera.number-verification", "authorize"); s.Handoff.Via != "--var" {
		t.Errorf("via %q", s.Handoff.Via)
	}
}
