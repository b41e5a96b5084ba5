package io.idempotency.web;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

/**
 * Writes {@link ProblemDetail} bodies as {@code application/problem+json} without depending on a JSON library.
 */
final class ProblemResponses {

	private ProblemResponses() {
	}


	static ProblemDetail create(IdempotencyProblem problem, String detail, ServerWebExchange exchange) {
		ProblemDetail body = ProblemDetail.forStatusAndDetail(problem.getStatus(), detail);
		body.setType(problem.getType());
		body.setTitle(problem.getTitle());
		body.setInstance(URI.create(exchange.getRequest().getURI().getRawPath()));
		return body;
	}

	static Mono<Void> write(ServerWebExchange exchange, IdempotencyProblem problem, String detail,
			@Nullable Duration retryAfter) {
		ServerHttpResponse response = exchange.getResponse();
		if (response.isCommitted()) {
			return Mono.empty();
		}
		byte[] json = toJson(create(problem, detail, exchange)).getBytes(StandardCharsets.UTF_8);
		response.setStatusCode(problem.getStatus());
		HttpHeaders headers = response.getHeaders();
		headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
		headers.setContentLength(json.length);
		headers.setCacheControl("no-store");
		if (retryAfter != null) {
			long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
			headers.set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
		}
		return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(json)));
	}

	static String toJson(ProblemDetail problem) {
		StringBuilder json = new StringBuilder(256).append('{');
		appendField(json, "type", problem.getType().toString());
		json.append(',');
		appendField(json, "title", problem.getTitle());
		json.append(",\"status\":").append(problem.getStatus());
		if (problem.getDetail() != null) {
			json.append(',');
			appendField(json, "detail", problem.getDetail());
		}
		if (problem.getInstance() != null) {
			json.append(',');
			appendField(json, "instance", problem.getInstance().toString());
		}
		return json.append('}').toString();
	}

	private static void appendField(StringBuilder json, String name, @Nullable String value) {
		json.append('"').append(name).append("\":");
		if (value == null) {
			json.append("null");
			return;
		}
		json.append('"');
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			switch (c) {
				case '"' -> json.append("\\\"");
				case '\\' -> json.append("\\\\");
				case '\n' -> json.append("\\n");
				case '\r' -> json.append("\\r");
				case '\t' -> json.append("\\t");
				default -> {
					if (c < 0x20) {
						json.append(String.format("\\u%04x", (int) c));
					}
					else {
						json.append(c);
					}
				}
			}
		}
		json.append('"');
	}

}
