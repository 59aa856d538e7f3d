package billing

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

func TestPriceValidate(t *testing.T) {
	monthly := &Recurrence{Month, 1}
	rec := func(m Money) Price { return Price{Amount: m, Type: RecurringPrice, Recurrence: monthly} }
	tests := []struct {
		name  string
		p     Price
		field string // empty: valid
	}{
		{"monthly", rec(usd(1000)), ""},
		{"free plan", rec(usd(0)), ""},
		{"one-time", Price{Amount: Money{500, "JPY"}, Type: OneTimePrice}, ""},
		{"largest amount", rec(usd(MaxAmount)), ""},
		{"trial", Price{Amount: usd(1000), Type: RecurringPrice, Recurrence: monthly, TrialDays: 14}, ""},
		{"longest trial", Price{Amount: usd(1000), Type: RecurringPrice, Recurrence: monthly, TrialDays: MaxTrialDays}, ""},
		{"dunning", Price{Amount: usd(1), Type: RecurringPrice, Recurrence: monthly, Dunning: DunningSchedule{h}}, ""},
		{"no retries", Price{Amount: usd(1), Type: RecurringPrice, Recurrence: monthly, Dunning: DunningSchedule{}}, ""},
		{"dunning on one-time", Price{Amount: usd(1), Type: OneTimePrice, Dunning: DefaultDunning}, ""},
		{"every 5 years", Price{Amount: usd(1), Type: RecurringPrice, Recurrence: &Recurrence{Year, 5}}, ""},

		{"negative", rec(usd(-1)), "amount"},
		{"too large", rec(usd(MaxAmount + 1)), "amount"},
		{"no currency", rec(Money{1, ""}), "currency"},
		{"unknown currency", rec(Money{1, "ABC"}), "currency"},
		{"gold", rec(Money{1, "XAU"}), "currency"},
		{"lower-case currency", rec(Money{1, "usd"}), "currency"},
		{"no type", Price{Amount: usd(1)}, "type"},
		{"bad type", Price{Amount: usd(1), Type: "subscription"}, "type"},
		{"recurring without interval", Price{Amount: usd(1), Type: RecurringPrice}, "interval"},
		{"recurring with empty interval", Price{Amount: usd(1), Type: RecurringPrice, Recurrence: &Recurrence{"", 1}}, "interval"},
		{"unknown interval", Price{Amount: usd(1), Type: RecurringPrice, Recurrence: &Recurrence{"fortnight", 1}}, "interval"},
		{"count zero", Price{Amount: usd(1), Type: RecurringPrice, Recurrence: &Recurrence{Month, 0}}, "intervalCount"},
		{"count too high", Price{Amount: usd(1), Type: RecurringPrice, Recurrence: &Recurrence{Week, 53}}, "intervalCount"},
		{"one-time with interval", Price{Amount: usd(1), Type: OneTimePrice, Recurrence: monthly}, "interval"},
		{"one-time with trial", Price{Amount: usd(1), Type: OneTimePrice, TrialDays: 7}, "trialDays"},
		{"negative trial", Price{Amount: usd(1), Type: RecurringPrice, Recurrence: monthly, TrialDays: -1}, "trialDays"},
		{"trial too long", Price{Amount: usd(1), Type: RecurringPrice, Recurrence: monthly, TrialDays: MaxTrialDays + 1}, "trialDays"},
		{"bad dunning", Price{Amount: usd(1), Type: RecurringPrice, Recurrence: monthly, Dunning: DunningSchedule{2 * h, h}}, "dunning"},
	}
	for _, tt := range tests {
		err := tt.p.Validate()
		if tt.field == "" {
			if err != nil {
				t.Errorf("%s: Price.Validate() = %v, want nil", tt.name, err)
			}
			continue
		}
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != tt.field || fe.Message == "" {
			t.Errorf("%s: Price.Validate() = %v, want a *FieldError on %q", tt.name, err, tt.field)
		}
	}
}

func TestFieldErrorMessage(t *testing.T) {
	err := Price{Amount: usd(1), Type: RecurringPrice, Recurrence: &Recurrence{Month, 25}}.Validate()
	if want := "intervalCount: must be between 1 and 24 for month"; err == nil || err.Error() != want {
		t.Errorf("Price.Validate() = %v, want %q", err, want)
	}
	err = Price{Amount: Money{1, "XAU"}, Type: OneTimePrice}.Validate()
	if want := `currency: currency "XAU" is not accepted: it is a precious metal, not a currency`; err == nil || err.Error() != want {
		t.Errorf("Price.Validate() = %v, want %q", err, want)
	}
}

func TestPriceJSON(t *testing.T) {
	tests := []struct {
		in       string
		want     Price
		errField string
	}{
		{`{"amount":1000,"currency":"usd","type":"recurring","interval":"month","intervalCount":3,"trialDays":14,"dunning":["24h","48h"]}`,
			Price{Amount: usd(1000), Type: RecurringPrice, Recurrence: &Recurrence{Month, 3}, TrialDays: 14, Dunning: DunningSchedule{24 * h, 48 * h}}, ""},
		{`{"amount":1000,"currency":"USD","type":"recurring","interval":"year"}`,
			Price{Amount: usd(1000), Type: RecurringPrice, Recurrence: &Recurrence{Year, 1}}, ""},
		{`{"amount":1000,"currency":"USD","type":"recurring","intervalCount":2}`,
			Price{Amount: usd(1000), Type: RecurringPrice, Recurrence: &Recurrence{"", 2}}, ""},
		{`{"amount":500,"currency":"JPY","type":"one_time","dunning":[]}`,
			Price{Amount: Money{500, "JPY"}, Type: OneTimePrice, Dunning: DunningSchedule{}}, ""},
		{`{"amount":500,"currency":"JPY","type":"one_time","dunning":null}`,
			Price{Amount: Money{500, "JPY"}, Type: OneTimePrice}, ""},
		{`{"amount":500,"currency":"JPY","type":"one_time","dunning":["48h","24h"]}`, Price{}, "dunning"},
	}
	for _, tt := range tests {
		var got Price
		err := json.Unmarshal([]byte(tt.in), &got)
		if tt.errField != "" {
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.errField {
				t.Errorf("json.Unmarshal(%s) = %v, want a *FieldError on %q", tt.in, err, tt.errField)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("json.Unmarshal(%s) = %+v, %v, want %+v", tt.in, got, err, tt.want)
		}
	}

	p := Price{Amount: usd(1000), Type: RecurringPrice, Recurrence: &Recurrence{Month, 1}, TrialDays: 7, Dunning: DefaultDunning}
	b, err := json.Marshal(p)
	want := `{"amount":1000,"currency":"USD","type":"recurring","interval":"month","intervalCount":1,"trialDays":7,"dunning":["24h","72h","120h"]}`
	if err != nil || string(b) != want {
		t.Errorf("json.Marshal(%+v) = %s, %v, want %s", p, b, err, want)
	}
	var back Price
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, p) {
		t.Errorf("json.Unmarshal(%s) = %+v, %v, want %+v", b, back, err, p)
	}
	b, _ = json.Marshal(Price{Amount: Money{500, "JPY"}, Type: OneTimePrice})
	if want := `{"amount":500,"currency":"JPY","type":"one_time"}`; string(b) != want {
		t.Errorf("json.Marshal(one-time) = %s, want %s", b, want)
	}
	b, _ = json.Marshal(Price{Amount: Money{500, "JPY"}, Type: OneTimePrice, Dunning: DunningSchedule{}})
	if want := `{"amount":500,"currency":"JPY","type":"one_time","dunning":[]}`; string(b) != want {
		t.Errorf("json.Marshal(no retries) = %s, want %s", b, want)
	}
}

func TestEffectiveDunning(t *testing.T) {
	tests := []struct {
		d    DunningSchedule
		want DunningSchedule
	}{
		{nil, DefaultDunning},
		{DunningSchedule{}, DunningSchedule{}},
		{DunningSchedule{h}, DunningSchedule{h}},
	}
	for _, tt := range tests {
		if got := (Price{Dunning: tt.d}).EffectiveDunning(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Price{Dunning: %#v}.EffectiveDunning() = %#v, want %#v", tt.d, got, tt.want)
		}
	}
}
