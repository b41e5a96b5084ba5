package io.idempotency.web;

import java.net.URI;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ProblemResponses}.
 */
class ProblemResponsesTests {

	@Test
	void jsonEscapesQuotesBackslashesAndControlCharacters() {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "a \"b\" \\ c\n\u0001");
		problem.setType(URI.create("urn:idempotency:problem:invalid-key"));
		problem.setTitle("Invalid idempotency key");
		problem.setInstance(URI.create("/orders"));

		String json = ProblemResponses.toJson(problem);

		assertThat(json).isEqualTo("{\"type\":\"urn:idempotency:problem:invalid-key\","
				+ "\"title\":\"Invalid idempotency key\",\"status\":400,"
				+ "\"detail\":\"a \\\"b\\\" \\\\ c\\n\\u0001\",\"instance\":\"/orders\"}");
	}

	@Test
	void everyProblemHasDistinctType() {
		assertThat(java.util.Arrays.stream(IdempotencyProblem.values()).map(IdempotencyProblem::getType).distinct())
			.hasSize(IdempotencyProblem.values().length);
	}

}
