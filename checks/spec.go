package checks

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Spec is an inline check as a flow file writes it: an id, a target (`on`) and exactly one
// predicate, for example
//
//	{ id = "camara.sim-swap.swapped-boolean", on = "body:swapped", type = "boolean", ref = "CAMARA SS checkSimSwap 200" }
//
// gt and lt may be combined to express a range; every other predicate stands alone.
type Spec struct {
	ID      string `toml:"id"`
	On      string `toml:"on"`
	Level   Level  `toml:"level"`
	Ref     string `toml:"ref"`
	Explain string `toml:"explain"`
	// Optional makes the check apply only when its target is there: absent, it is a skip.
	Optional bool `toml:"optional"`
	// Nullable lets the target be JSON null, which a document allows ("string | null"): then the
	// check is a skip that says so.
	Nullable bool `toml:"nullable"`

	Equals    any      `toml:"equals"`
	NotEquals any      `toml:"not_equals"`
	Exists    *bool    `toml:"exists"`
	Absent    *bool    `toml:"absent"`
	Type      string   `toml:"type"`
	Matches   string   `toml:"matches"`
	OneOf     []any    `toml:"one_of"`
	Gt        *float64 `toml:"gt"`
	Lt        *float64 `toml:"lt"`
	Format    string   `toml:"format"`
}

// Resolver fills `{{name}}` templates in expected values from profile variables and earlier
// captures. It returns an error naming what is missing.
type Resolver func(template string) (string, error)

// Check is a compiled inline check, ready to run against evidence.
type Check struct {
	ID       string
	Level    Level
	Ref      string
	Explain  string
	Target   Target
	Optional bool
	Nullable bool
	pred     predicate
}

// Compile validates the spec and prepares it. The error says what to change, in the words of
// the flow file.
func (s Spec) Compile() (*Check, error) {
	if s.ID == "" {
		return nil, errors.New(`check needs an "id"`)
	}
	if s.On == "" {
		return nil, fmt.Errorf("check %s needs \"on\" (what to look at)", s.ID)
	}
	target, err := ParseTarget(s.On)
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", s.ID, err)
	}
	level := s.Level
	if level == "" {
		level = LevelFail
	}
	if !level.Valid() {
		return nil, fmt.Errorf("check %s: level %q: use fail, warn or info", s.ID, s.Level)
	}
	pred, err := s.predicate(target)
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", s.ID, err)
	}
	return &Check{ID: s.ID, Level: level, Ref: s.Ref, Explain: s.Explain, Target: target, Optional: s.Optional, Nullable: s.Nullable, pred: pred}, nil
}

func (s Spec) predicate(t Target) (predicate, error) {
	var found []predicate
	numeric := t.Where == "status" || t.Where == "duration"
	literal := func(name string, v any) (Value, error) {
		val, err := literalValue(v)
		if err != nil {
			return val, fmt.Errorf("%s: %w", name, err)
		}
		if numeric && val.Kind != KindNumber {
			return val, fmt.Errorf("%s: %s is a number; write it without quotes", name, t.Where)
		}
		return val, nil
	}
	if s.Equals != nil {
		v, err := literal("equals", s.Equals)
		if err != nil {
			return nil, err
		}
		found = append(found, equalsPred{want: v})
	}
	if s.NotEquals != nil {
		v, err := literal("not_equals", s.NotEquals)
		if err != nil {
			return nil, err
		}
		found = append(found, notEqualsPred{want: v})
	}
	if s.Exists != nil {
		found = append(found, existsPred{want: *s.Exists})
	}
	if s.Absent != nil {
		found = append(found, existsPred{want: !*s.Absent})
	}
	if s.Type != "" {
		if !knownTypes[s.Type] {
			return nil, fmt.Errorf("type %q: use string, number, integer, boolean, object, array or null", s.Type)
		}
		found = append(found, typePred{want: s.Type})
	}
	if s.Matches != "" {
		re, err := regexp.Compile(s.Matches)
		if err != nil {
			return nil, fmt.Errorf("matches: %v", err)
		}
		found = append(found, matchesPred{re: re})
	}
	if s.OneOf != nil {
		if len(s.OneOf) == 0 {
			return nil, errors.New("one_of needs at least one value")
		}
		var vs []Value
		for _, o := range s.OneOf {
			v, err := literal("one_of", o)
			if err != nil {
				return nil, err
			}
			vs = append(vs, v)
		}
		found = append(found, oneOfPred{want: vs})
	}
	if s.Gt != nil || s.Lt != nil {
		found = append(found, rangePred{gt: s.Gt, lt: s.Lt})
	}
	if s.Format != "" {
		f, ok := formats[s.Format]
		if !ok {
			return nil, fmt.Errorf("format %q: use one of %s", s.Format, strings.Join(formatNames(), ", "))
		}
		found = append(found, formatPred{name: s.Format, f: f})
	}
	switch len(found) {
	case 0:
		return nil, errors.New("no predicate: add one of equals, not_equals, exists, absent, type, matches, one_of, gt/lt, format")
	case 1:
		return found[0], nil
	default:
		return nil, errors.New("more than one predicate: write one check per predicate (gt and lt may go together)")
	}
}

// Eval runs the check against the evidence. Templates in expected values are filled by resolve;
// a template that cannot be filled makes the check a skip that says what was missing.
func (c *Check) Eval(ev *Evidence, resolve Resolver) Outcome {
	o := Outcome{ID: c.ID, Level: c.Level, Ref: c.Ref, Explain: c.Explain, Target: c.Target.String()}
	got := c.Target.Value(ev)
	if c.Optional && !got.Present() {
		_, expected, _ := c.pred.test(got, nil)
		o.Status, o.Expected, o.Reason = Skip, expected, "not applicable: "+c.Target.String()+" is absent, and the check applies only when it is there"
		return o
	}
	if c.Nullable && got.Kind == KindNull {
		_, expected, _ := c.pred.test(got, nil)
		o.Status, o.Expected, o.Reason = Skip, expected, "not applicable: "+c.Target.String()+" is null, which the document allows"
		return o
	}
	held, expected, err := c.pred.test(got, resolve)
	o.Expected = expected
	o.Got = got.String()
	if err != nil {
		o.Status, o.Got, o.Reason = Skip, "", err.Error()
		return o
	}
	o.Status = statusFor(c.Level, held)
	return o
}

// Expectation says what the check wants, as its outcomes word it: "present", "one of …".
func (c *Check) Expectation() string {
	_, expected, _ := c.pred.test(Value{Kind: KindAbsent}, nil)
	return expected
}

// Skipped is the outcome of a check that never ran because the step had no response to look at.
func (c *Check) Skipped(reason string) Outcome {
	return Outcome{ID: c.ID, Level: c.Level, Ref: c.Ref, Explain: c.Explain, Target: c.Target.String(),
		Status: Skip, Reason: reason}
}

func literalValue(v any) (Value, error) {
	switch x := v.(type) {
	case string:
		return StringValue(x), nil
	case int64:
		return NumberValue(float64(x)), nil
	case int:
		return NumberValue(float64(x)), nil
	case float64:
		return NumberValue(x), nil
	case bool:
		return Value{Kind: KindBool, Bool: x}, nil
	default:
		return Value{}, fmt.Errorf("%v (%T) is not a string, number or boolean", v, v)
	}
}
