package io.idempotency.web.function;

import java.util.Map;
import java.util.function.Consumer;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import io.idempotency.web.IdempotencyPolicy;
import io.idempotency.web.IdempotentExchangeHandler;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseCookie;
import org.springframework.http.codec.multipart.Part;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.util.Assert;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.WebDataBinder;
import org.springframework.web.reactive.function.BodyExtractor;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.function.server.support.ServerRequestWrapper;
import org.springframework.web.server.ServerWebExchange;

/**
 * {@link HandlerFilterFunction} that makes the requests of one functional route safe to retry, with the same
 * {@link IdempotentExchangeHandler} as the global web filter:
 * <pre class="code">
 * RouterFunctions.route()
 *     .POST("/payments", payments::create)
 *     .filter(new IdempotencyHandlerFilterFunction(handler, policy.mutate().keyRequired(true).build()))
 *     .build();
 * </pre>
 *
 * <p>The handler function runs when the response is written, inside the idempotent handling, so that its response
 * can be captured; a replayed or rejected request never runs it. The filter therefore returns a placeholder
 * {@link ServerResponse} at once, whose status is 200 and whose headers and cookies are empty, and filters applied
 * around this one see that placeholder, not the final response, so make it the outermost filter: first in the
 * {@code RouterFunctions.route()} builder, which applies the first filter outermost, or last in a chain of
 * {@code RouterFunction.filter(...)} calls.
 *
 * <p>When the global web filter also handles the route's path, the web filter's policy wins and this filter passes
 * requests on; exclude the path with {@code idempotency.excluded-paths} or turn the web filter off with
 * {@code idempotency.filter-enabled=false}.
 *
 * @author Idempotency contributors
 * @since 0.1.0
 * @see RouterFunction#filter(HandlerFilterFunction)
 */
public final class IdempotencyHandlerFilterFunction implements HandlerFilterFunction<ServerResponse, ServerResponse> {

	private final IdempotentExchangeHandler handler;

	private final IdempotencyPolicy policy;


	/**
	 * Creates a filter function.
	 * @param handler the handler shared with the other filters of the application
	 * @param policy the rules for this route, for example the application's policy with {@code mutate()} changes
	 */
	public IdempotencyHandlerFilterFunction(IdempotentExchangeHandler handler, IdempotencyPolicy policy) {
		Assert.notNull(handler, "'handler' must not be null");
		Assert.notNull(policy, "'policy' must not be null");
		this.handler = handler;
		this.policy = policy;
	}


	@Override
	public Mono<ServerResponse> filter(ServerRequest request, HandlerFunction<ServerResponse> next) {
		return Mono.just(new IdempotentServerResponse(request, next));
	}


	/**
	 * Runs the idempotent handling, and the handler function inside it, when the response is written.
	 */
	private final class IdempotentServerResponse implements ServerResponse {

		private final ServerRequest request;

		private final HandlerFunction<ServerResponse> next;

		IdempotentServerResponse(ServerRequest request, HandlerFunction<ServerResponse> next) {
			this.request = request;
			this.next = next;
		}

		@Override
		public HttpStatusCode statusCode() {
			return HttpStatus.OK;
		}

		@Override
		public HttpHeaders headers() {
			return new HttpHeaders();
		}

		@Override
		public MultiValueMap<String, ResponseCookie> cookies() {
			return new LinkedMultiValueMap<>();
		}

		@Override
		public Mono<Void> writeTo(ServerWebExchange exchange, Context context) {
			return IdempotencyHandlerFilterFunction.this.handler.handle(exchange,
					IdempotencyHandlerFilterFunction.this.policy, (handled) -> this.next
						.handle(requestFor(exchange, handled))
						.flatMap((response) -> response.writeTo(handled, context)));
		}

		/**
		 * Returns the request to pass to the handler function. When the idempotent handling read the body, the
		 * handled exchange carries a copy of it, which the handler function must read instead.
		 */
		private ServerRequest requestFor(ServerWebExchange exchange, ServerWebExchange handled) {
			if (handled == exchange) {
				return this.request;
			}
			return new HandledBodyRequest(this.request, ServerRequest.create(handled, this.request.messageReaders()));
		}

	}


	/**
	 * A request that keeps everything of the route's request but reads its body from the handled exchange.
	 */
	private static final class HandledBodyRequest extends ServerRequestWrapper {

		private final ServerRequest bodyRequest;

		HandledBodyRequest(ServerRequest request, ServerRequest bodyRequest) {
			super(request);
			this.bodyRequest = bodyRequest;
		}

		@Override
		public <T> T body(BodyExtractor<T, ? super ServerHttpRequest> extractor) {
			return this.bodyRequest.body(extractor);
		}

		@Override
		public <T> T body(BodyExtractor<T, ? super ServerHttpRequest> extractor, Map<String, Object> hints) {
			return this.bodyRequest.body(extractor, hints);
		}

		@Override
		public <T> Mono<T> bodyToMono(Class<? extends T> elementClass) {
			return this.bodyRequest.bodyToMono(elementClass);
		}

		@Override
		public <T> Mono<T> bodyToMono(ParameterizedTypeReference<T> typeReference) {
			return this.bodyRequest.bodyToMono(typeReference);
		}

		@Override
		public <T> Flux<T> bodyToFlux(Class<? extends T> elementClass) {
			return this.bodyRequest.bodyToFlux(elementClass);
		}

		@Override
		public <T> Flux<T> bodyToFlux(ParameterizedTypeReference<T> typeReference) {
			return this.bodyRequest.bodyToFlux(typeReference);
		}

		@Override
		public <T> Mono<T> bind(Class<T> bindType, Consumer<WebDataBinder> dataBinderCustomizer) {
			return this.bodyRequest.bind(bindType, dataBinderCustomizer);
		}

		@Override
		public Mono<MultiValueMap<String, String>> formData() {
			return this.bodyRequest.formData();
		}

		@Override
		public Mono<MultiValueMap<String, Part>> multipartData() {
			return this.bodyRequest.multipartData();
		}

		@Override
		public ServerWebExchange exchange() {
			return this.bodyRequest.exchange();
		}

	}

}
