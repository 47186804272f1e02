package sandbox

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
)

// Device is the phone of the sandbox's world: a user agent that opens an authorization URL and
// follows the redirects, as a browser on the mobile network would, until one points at the
// client's redirect URI. Tests use it to play the person who opens the URL on their phone and
// brings back the callback.
type Device struct {
	client *http.Client
}

// NewDevice makes a device with its own cookie jar.
func NewDevice() *Device {
	jar, _ := cookiejar.New(nil)
	return &Device{client: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Open follows authorizeURL's redirects and returns the URL on redirectURI's origin the browser
// is finally sent to, or "" if a page answers without redirecting (an error page).
func (d *Device) Open(authorizeURL, redirectURI string) (string, error) {
	target, err := url.Parse(redirectURI)
	if err != nil {
		return "", err
	}
	next := authorizeURL
	for hop := 0; hop < 10; hop++ {
		resp, err := d.client.Get(next)
		if err != nil {
			return "", err
		}
		resp.Body.Close()
		loc, err := resp.Location()
		if err != nil {
			return "", nil // not a redirect: the browser shows whatever page this is
		}
		if strings.EqualFold(loc.Host, target.Host) && strings.EqualFold(loc.Scheme, target.Scheme) {
			return loc.String(), nil
		}
		next = loc.String()
	}
	return "", fmt.Errorf("more than 10 redirects from %s", authorizeURL)
}
