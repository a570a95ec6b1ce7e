// Gets an access token with this agent's client credentials, then reads the agent's record.
// Only the standard library (net/http): nothing to download.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

const (
	agentID   = "{{AGENT_ID}}"
	apiPrefix = "{{API_PREFIX}}"
)

var httpClient = &http.Client{Timeout: 10 * time.Second}

// loadDotenv sets the KEY=VALUE lines of .env, when it exists; variables already set win.
func loadDotenv(path string) {
	file, err := os.Open(path)
	if err != nil {
		return
	}
	defer file.Close()
	scanner := bufio.NewScanner(file)
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		key, value, found := strings.Cut(line, "=")
		if line == "" || strings.HasPrefix(line, "#") || !found {
			continue
		}
		key = strings.TrimSpace(key)
		if _, set := os.LookupEnv(key); !set {
			os.Setenv(key, strings.Trim(strings.TrimSpace(value), `"`))
		}
	}
}

func requiredEnv(name string) (string, error) {
	value := strings.TrimSpace(os.Getenv(name))
	if value == "" || strings.HasPrefix(value, "<") {
		return "", fmt.Errorf("%s is not set: copy .env.example to .env and fill it in", name)
	}
	return value, nil
}

// call sends a request and decodes the JSON answer, or fails with the server's error code and message.
func call(request *http.Request, into any) error {
	response, err := httpClient.Do(request)
	if err != nil {
		return fmt.Errorf("cannot reach %s: %w", request.URL, err)
	}
	defer response.Body.Close()
	body, err := io.ReadAll(response.Body)
	if err != nil {
		return fmt.Errorf("reading the answer of %s: %w", request.URL, err)
	}
	if response.StatusCode >= 300 {
		// The API answers {code, message}; the token endpoint answers OAuth's {error, error_description}.
		var failure struct {
			Code             string `json:"code"`
			Message          string `json:"message"`
			Error            string `json:"error"`
			ErrorDescription string `json:"error_description"`
		}
		_ = json.Unmarshal(body, &failure)
		code := firstOf(failure.Code, failure.Error, fmt.Sprintf("HTTP_%d", response.StatusCode))
		message := firstOf(failure.Message, failure.ErrorDescription, string(body))
		return fmt.Errorf("%s %s failed with %d %s: %s", request.Method, request.URL, response.StatusCode, code, message)
	}
	return json.Unmarshal(body, into)
}

func firstOf(values ...string) string {
	for _, value := range values {
		if value != "" {
			return value
		}
	}
	return ""
}

func run() error {
	loadDotenv(".env")
	var settings [3]string
	for i, name := range []string{"AGENTIDP_API_URL", "AGENTIDP_CLIENT_ID", "AGENTIDP_CLIENT_SECRET"} {
		value, err := requiredEnv(name)
		if err != nil {
			return err
		}
		settings[i] = value
	}
	apiURL := strings.TrimRight(settings[0], "/")
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {settings[1]}, "client_secret": {settings[2]}}
	tokenRequest, err := http.NewRequest(http.MethodPost, apiURL+apiPrefix+"/token", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	tokenRequest.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var token struct {
		AccessToken string `json:"access_token"`
	}
	if err := call(tokenRequest, &token); err != nil {
		return err
	}
	if token.AccessToken == "" {
		return errors.New("the token endpoint answered without an access_token")
	}
	agentRequest, err := http.NewRequest(http.MethodGet, apiURL+apiPrefix+"/agents/"+url.PathEscape(agentID), nil)
	if err != nil {
		return err
	}
	agentRequest.Header.Set("Authorization", "Bearer "+token.AccessToken)
	var agent map[string]any
	if err := call(agentRequest, &agent); err != nil {
		return err
	}
	pretty, err := json.MarshalIndent(agent, "", "  ")
	if err != nil {
		return err
	}
	fmt.Println(string(pretty))
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
