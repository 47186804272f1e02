package sandbox

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"sync"
)

// The sandbox's RSA keys, made once and written here: generating a 2048-bit key costs more than a
// whole sandbox run, and these guard nothing (a sandbox is a simulation anyone can read). Every
// value signed with them is still a secret to the engine, like any other.
const (
	idTokenKeyPEM = `-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCRF60DrQr66HRU
/2tbbaddjBI74OiqaAOAUy54m445vO4JUcY7hbRRtk6z7Y1IkBP8BODtt59aEWMF
mNnO5lKVs3+fnGzrGVgKPREGtgjyN6gwMXfYFWb+RjJAsafy4LGFeSnPq2/ynjj0
MtT1T/Fo76gMjqLLMzEgPhL54CGjcbRHgS/PKqoo44NSgtpj8e37Jr98/eZ9G8Gu
NJpOPRWvShy3eKT7WogFeemQIfZJqwggc2G6OPiKzc0vYfSJX5B87cqf5kbht9Ou
o8OuPsExfMLQYJPHZQ5yDmiZrDi46R9yHFxFXjRI87m+E7fbroPXOlKaxeCASN9H
B6ZHIsa/AgMBAAECggEAG1SjYZLiA5tv9mbamTFRmnx9Hsxh51+KcUy57zwWEWg2
Sokd1y57Zfz6XEg+GdISAaIFoKG7IaMuzOoa9S9LlSlnu/AiUDLI87zHDUWS79Vu
GA3pbkmxyen9I1STt1t99Q96wcSgZMpLHizJEqCJb+Pc+uiPX8l30oP+3RTMIVZM
LJOvp54txf9g+tJiX1iK7ED/hwjNtmS5Oyk9IC8LsNRu+8XZyOKFAU4c9ADDo98J
idfgkzNkp7wGKcc7EbSIkQjqDLuGuNcA5Yp5z0r9IlY+Zqv+jWgJAtKNsHy8CgDT
XINpIkJ4T8Bjg3Od3QHzYEkAfahphcB0oG/GKoa0cQKBgQDAOmdgLTChdnUeALIm
44wJ80aDsfwfjA5IcDFY447fUdQZhSN1iocOu+TVHnWhfAHG423Oc7hq5ysrVjSF
jxotEP0dA8xxdPxKHuOM4IMAyFv/fb5QBLoJKKjGOIwmauNU9EjWWRJT0dU6ncdc
v9v4OxdnXZFdD2tPQdzkP6OlpwKBgQDBOh/CAIqgPYhmj0XHb3++kB7dQG87pWpN
Ayal29Gc/urz/fRE428WapfqXbA8vC+6COFG0OG7AmkhWCnesJ73mPNUrO1yYGZQ
K6ppfXGA+A+uVqtdF8glzjTpgccJOjNiZ58bYeepwZJZeIg3rTwxcJ8+IerEt87E
5vHXvB6pKQKBgAsJj3P7REaRGapuWcxX1muf11Wqe5KIJS3Nm1fCQSrbdPU+KsoN
+TFEYqBGDnUGPMfhuSVYiadBvL3RRlTA4bzis9XdqPh+whmzaldlcMAzwOyLmMjZ
bKEn/4DaMFnoW0M+f4wnMyEy9C5YbuEJdyTqp65ctgME5qF3Y6qLaOcTAoGAeuuZ
5lVn2pYqXmwITN3eWwDd0Yw69qu9Gu7FOD/FceUs3DiSmvw/3/fBWoNtKMXiaqtZ
fC5HWysma+LlB9g92G7BZP15NAilLZ0JlIALo6qqdxKFgvwtA/fQ6zb2wiT3KUOY
ENhQgko06pvls92NbDoj42e6LJhtfg8YjFANBTkCgYAilLVd5ySffTjmHBlfUttB
cHbVbKxSm6SO9WLm1zOWD8t9t21d65h0UxqPfmTc1VkV740F/8SO+WP53TmSXM2q
xFexJzQgsaTlo9hRU3Rc+jDjDqeEAjnwsbREjBWDOJvzF1wHrQLQo0Ykl7FV1mHC
2wK31uypBJMel1eNMe/xjg==
-----END PRIVATE KEY-----
`
	strangerKeyPEM = `-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDS8esKOqsQVCwM
za+Ra7RF0fy4yoYnP8lFQkIgNsQNZ2fGosa5Uy7P6ittV8QPCAxu0GfSVi6apbW5
CrHtYLfsTxcIdPE7etgaqgJoaFAfpzIHU+kHcdkslfbJtqPP5Usq9EHsGonuaPJa
PYegolYsXmqpTqcAf356M4iCQkj86vx/UH00zleTe8vG2FAY9Wt5i+M+kv4fFJGa
t9X8Lu+T9JwvovSUxofDnCeji1MIi6K3FFKG1p7TLKvHRU+hRGpdMo6itoGQ+9XN
vetai2S0KbCHuIkDqT/+0qkL/nRNLCHZkC+f+aCZcJemt5jpr00svsWppbNqBcMk
JtGuDb5rAgMBAAECggEAUeHtQjW+1GJQDRJEjfbYbefSqWqYA6FLgBJ1t6p6lNdo
XZ8u855aBAQaomGYrdsKdHN6cZfZlFcxwKfppELQci7LOpGmWFfZjhQjRiMDwx20
GksUoDqtuhRmTSuTz+3qLTzOYBd3Ji/fr27F+HE7cRKfZaQtyFA1KLtbSHDxgxcB
zi6MeEMhgCXWx8o/tHaOMvlvTUp/zdGA2tmnPxP5FT6ZhhkB9pQ9SAqcNTU1X4hB
3SPokU0cPutECnFZzP/PteQ2w8ILBN0jFRjnPlXC/Txm5kP4YgJCYMhHHTyik5T0
5LZsPHUJhcN1mNnIPU9199fAsIXwtx4TMsqAVs0xKQKBgQDoafD5v+T2ED1jdS+Z
bsWCxJ92AJ2g2H18JF+vCBOoHvAyIVhoEL4SFCRp/mQo3lLprECOVahqqs63EBfW
7ZBrK64b/UK41MyRCdqF/S/dBpMuYQ00+6KoDusqtjapjiVd5e0Md/x8p9AFWVQq
1gzEBlguDbWq9gDG7rjkA6wcYwKBgQDoWjig0VHrLtntoi22YYJGFj4KZ7UKRa0m
hAKLYsnNO8/P0maA6DgZi4Da/veHvoUgvQq0J4sUn+vkJQHdnHI47amnkDdP7bqM
IA+wtGNcYGpI580oq3Giv98fPmbAHMOHdfTFBvqo+ZJ9Vndt8egMfEG+8rCy1LAI
0GdubL6gWQKBgQDEVIpOT/5YpstU8y9si5ipqPOTuV1u/LK0Zf22XDpOsSPzFRwb
fNkzaHSCXXW62GRuJSa7ljyZLwVEu4GH/FMdVV7VIhJ1FL5iX1KMEZ+XNPCsIywG
7/MtyLx77kUq4ntKYOrot4tAunoNqrJhJUTPaxSegtJOQ1XQtuTVKQ0BRQKBgQCo
Ojpp5WPkXaWXsiZauDq0OAJvUir35v64tjeJZ9soZzfNBk8E4h1MEX8YECZz9/M3
guevDDpcknUeV9UD+POSWDDPi1Eg48R/E++IRvLxvTT22C3oVkkORtFrM6j9S1Ye
S78OsEDn+tqfOO17gvw5nfWUJO7ea7OQjiN1BfL28QKBgETT2/gwVyBFMKYT3KFm
VK0U9R+hqwajP/LmCOovwmSi7a7nKXODY0qiNHNmf5I/X2UmXAJNCSU3xRXTiqn3
RpvjlnylXTG4RPIL2ZWf4tMsREy4SJgfEdn2vzsuCLjn7UT6v2hCizQKKVeoVWc1
eLPUq1mA8hBYhQEqqjZb/qY9
-----END PRIVATE KEY-----
`
	vonageAppKeyPEM = `-----BEGIN PRIVATE KEY-----
MIIEvwIBADANBgkqhkiG9w0BAQEFAASCBKkwggSlAgEAAoIBAQC+x2ljtfLfvI6+
2Tem2W9vWa2Jz2ErhRUE6f+FRbvP3T5RqW+udz4JFMkxu0FQ1i77Zjomnnru64Yd
U9pPYN1PWClYUYXZ0rTQbQ23gNlpWtJrx6yMj3J0RjTr9Lx9e7dg1wynhrk5Nv1C
fgQuShTuLxz4HKs8ocEtiYklTl0IzKboJDLj+p3+zgtuaYai+BjIF6ly7kZnfa4D
TMzJaZ/zyzOQi/AD8NZKYNlLzrnITneicWPZRyQOMhc1d3+4tVC4JqYeoqMlbYS6
ieJVbCQA2hbJ6BY9NZqN8zUgNzFHuu5aNkcFQqyoQX/LP/qrRn4pDQPJRQ99SKZU
cbZjpx2RAgMBAAECggEACJ6L7vfGSwha6umXlYXI/ob2w6VbYJbq+OGNVEcu9cSL
O29oOsG7i1edgi4hlKJTpbMz/QEPoO4iTV6HrErOHubG2e0XevyVg53stunm8LcM
LxdKrwBPYYxXOWKhljoF4kW/Bi3cnhaTXUriG5kIXm1Bnd5WOHdeqeT3DbjfVE2O
L8dJjxBFkG4ZkN1oK+juEDMmLgKBXwxVAaOQ8FUlhYy3LveE4w4vE4qr2FvTFPx5
JBCQ0iZsYa2X/3h3cwNvyTs/DmoVBz4VTHhNUaR8OQGlbC61noxSL3nNmM94Xdzp
ya0Bmcw3+nmaS4xNRogHoCEH2QgQwIFobscf3FsBAQKBgQDxjJilW1ugCZBMR/7X
uaqX4PzkwMb+PECnxeerQmk8wUKO/GIjN1lwZlEi7CBBRz1ig1deWZla9uCioC/v
zqxBvEBGSQzvD2hnvLU5gMud84V7E4ZQcF61FgtO7F/tO14FvwP7YHfkOIDYxee0
vk0SdgYpyzKT0BgUIGGz/IWXAQKBgQDKMUCuuwv5NljQavyO56a4iIsNIojGW1MR
FQdQ7S7yj+I4rD8J0RCft8ihlUmnWrZBzSXHbI+itI0134NdypA2IUkGvZMze4IG
4WND2IHzTJ0a3Yf0wfICE689mPGPo4dXcy2lYNGGRe6HLhoWI5cN8/+CigOF1bFb
ds82Z4KWkQKBgQCbJE+CnWv7HUlmBTPkgObWB/bGQh9NeYuZdp42vD/1erdyOR4b
OliivcTNJlYNN2Fw3aUG/4tlBn3/Vd2UK+0th2jM++xnu0C2qFjJpzSgraGFDGRP
U+0waAk5Vs7CA0h/blFzamF23ue601ngF/5OpimNPGquz5A3lRjLzpxLAQKBgQCt
09AvKEHv/Cg47nG5DjEIXuNk5HbASY1Nl02V5oPBJ7AuVu9PKjzng2JqgGU1Csi8
I3nCTHPkRuNMGJ/gx6BZ2R3mPJ9L2Hf+IFFt57o5CHncue4Dn6XG4VN8Wnv6qHVX
2n64ulcH4CFkeF8W/3wDE+1sNek3a3MyFh+pPy5G8QKBgQC9Dq2p+gBHDDTCBqtq
cXOphkyclZp3bbwh5h/rjJLtZmbmP6HvsmaluyO1LiEZjNjzYAazU7GeCM0X/RoG
LnLaPlVzBTMtezFWsRTvi3izxWB/X+qrXEf8P0tP7vsYu3+bjtfWGdLnsJOXvBmw
UxvCnAHS9MK79LNmQoSz2bzerw==
-----END PRIVATE KEY-----
`
)

// rsaKey parses one of the keys above; they are fixed, so a failure is a broken build.
func rsaKey(pemText string) *rsa.PrivateKey {
	block, _ := pem.Decode([]byte(pemText))
	if block == nil {
		panic("sandbox: a built-in key is not PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		panic("sandbox: a built-in key does not parse: " + err.Error())
	}
	return k.(*rsa.PrivateKey)
}

var (
	// idTokenKey signs id_tokens; its public half is in the JWKS.
	idTokenKey = sync.OnceValue(func() *rsa.PrivateKey { return rsaKey(idTokenKeyPEM) })
	// strangerKey is a key no provider publishes: a fault signs with it.
	strangerKey = sync.OnceValue(func() *rsa.PrivateKey { return rsaKey(strangerKeyPEM) })
	// vonageAppKey is the Vonage application's key pair: the sandbox holds the public half, the
	// profile gets the private half (application_private_key).
	vonageAppKey = sync.OnceValue(func() *rsa.PrivateKey { return rsaKey(vonageAppKeyPEM) })
)

// pemOf writes a private key as PKCS #8 PEM, the form profiles hold keys in.
func pemOf(key crypto.Signer) string {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return ""
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}
