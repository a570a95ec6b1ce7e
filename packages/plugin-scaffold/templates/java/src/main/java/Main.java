// Gets an access token with this agent's client credentials, then reads the agent's record.
// Only the JDK (java.net.http, Java 17+): `java src/main/java/Main.java` runs it from source.
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public final class Main {
    private static final String AGENT_ID = "{{AGENT_ID}}";
    private static final String API_PREFIX = "{{API_PREFIX}}";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    /** A failure worth one readable line (no stack trace). */
    private static final class StarterException extends Exception {
        StarterException(String message) {
            super(message);
        }
    }

    /** KEY=VALUE lines of .env, when it exists; variables already set win. */
    private static Map<String, String> loadDotenv() throws IOException {
        Map<String, String> values = new HashMap<>();
        Path path = Path.of(".env");
        if (!Files.exists(path)) {
            return values;
        }
        for (String raw : Files.readAllLines(path, StandardCharsets.UTF_8)) {
            String line = raw.strip();
            int separator = line.indexOf('=');
            if (line.isEmpty() || line.startsWith("#") || separator < 0) {
                continue;
            }
            values.put(line.substring(0, separator).strip(), line.substring(separator + 1).strip().replaceAll("^\"|\"$", ""));
        }
        return values;
    }

    private static String requiredEnv(Map<String, String> dotenv, String name) throws StarterException {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            value = dotenv.getOrDefault(name, "");
        }
        value = value.strip();
        if (value.isEmpty() || value.startsWith("<")) {
            throw new StarterException(name + " is not set: copy .env.example to .env and fill it in");
        }
        return value;
    }

    /** One string field of a JSON object; enough for the few fields read here without a JSON library. */
    private static String stringField(String json, String name) {
        Matcher matcher = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
        return matcher.find() ? matcher.group(1).replace("\\\"", "\"").replace("\\\\", "\\") : null;
    }

    private static String firstOf(String... values) {
        for (String value : values) {
            if (value != null && !value.isEmpty()) {
                return value;
            }
        }
        return "";
    }

    /** Sends a request; answers the body, or throws with the server's error code and message. */
    private static String call(HttpRequest request) throws StarterException, InterruptedException {
        HttpResponse<String> response;
        try {
            response = HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException error) {
            throw new StarterException("cannot reach " + request.uri() + ": " + error);
        }
        String body = response.body();
        if (response.statusCode() >= 300) {
            // The API answers {code, message}; the token endpoint answers OAuth's {error, error_description}.
            String code = firstOf(stringField(body, "code"), stringField(body, "error"), "HTTP_" + response.statusCode());
            String message = firstOf(stringField(body, "message"), stringField(body, "error_description"), body);
            throw new StarterException(request.method() + " " + request.uri() + " failed with " + response.statusCode() + " " + code + ": " + message);
        }
        return body;
    }

    private static String form(Map<String, String> fields) {
        StringBuilder encoded = new StringBuilder();
        fields.forEach((key, value) -> encoded.append(encoded.length() == 0 ? "" : "&")
            .append(URLEncoder.encode(key, StandardCharsets.UTF_8)).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
        return encoded.toString();
    }

    private static void run() throws StarterException, IOException, InterruptedException {
        Map<String, String> dotenv = loadDotenv();
        String apiUrl = requiredEnv(dotenv, "AGENTIDP_API_URL").replaceAll("/+$", "");
        String tokenBody = form(Map.of(
            "grant_type", "client_credentials",
            "client_id", requiredEnv(dotenv, "AGENTIDP_CLIENT_ID"),
            "client_secret", requiredEnv(dotenv, "AGENTIDP_CLIENT_SECRET")));
        String token = call(HttpRequest.newBuilder(URI.create(apiUrl + API_PREFIX + "/token"))
            .timeout(TIMEOUT)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(tokenBody))
            .build());
        String accessToken = stringField(token, "access_token");
        if (accessToken == null) {
            throw new StarterException("the token endpoint answered without an access_token");
        }
        String agent = call(HttpRequest.newBuilder(URI.create(apiUrl + API_PREFIX + "/agents/" + URLEncoder.encode(AGENT_ID, StandardCharsets.UTF_8)))
            .timeout(TIMEOUT)
            .header("Authorization", "Bearer " + accessToken)
            .GET()
            .build());
        System.out.println(agent);
    }

    public static void main(String[] args) throws Exception {
        try {
            run();
        } catch (StarterException error) {
            System.err.println("error: " + error.getMessage());
            System.exit(1);
        }
    }
}
