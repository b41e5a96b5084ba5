package io.idempotency.web;

import java.util.Map;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.ResolvableType;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.http.codec.FormHttpMessageReader;
import org.springframework.http.codec.multipart.DefaultPartHttpMessageReader;
import org.springframework.http.codec.multipart.MultipartHttpMessageReader;
import org.springframework.http.codec.multipart.Part;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebExchangeDecorator;

/**
 * Exchange whose request body is the copy that the engine read to compute the fingerprint.
 *
 * <p>The original request body can be read only once, and the exchange's form and multipart data are decoded from
 * it. This exchange serves the body, the form data and the multipart data from the copy instead.
 *
 * <p>NOTE: an exchange built later with {@link ServerWebExchange#mutate()} keeps the copied body, because the request
 * is set on the mutated exchange too, but decodes form and multipart data from the original, already read body.
 */
final class CachedBodyExchange extends ServerWebExchangeDecorator {

	private static final ResolvableType FORM_DATA_TYPE = ResolvableType.forClassWithGenerics(MultiValueMap.class,
			String.class, String.class);

	private static final ResolvableType MULTIPART_DATA_TYPE = ResolvableType.forClassWithGenerics(MultiValueMap.class,
			String.class, Part.class);

	private static final FormHttpMessageReader formReader = new FormHttpMessageReader();

	private static final MultipartHttpMessageReader multipartReader = new MultipartHttpMessageReader(
			new DefaultPartHttpMessageReader());

	private final ServerHttpRequest request;

	/** Form data decoded from the copy, made on first use because few handlers read it. */
	private volatile @Nullable Mono<MultiValueMap<String, String>> formData;

	/** Multipart data decoded from the copy, made on first use because few handlers read it. */
	private volatile @Nullable Mono<MultiValueMap<String, Part>> multipartData;


	private CachedBodyExchange(ServerWebExchange delegate) {
		super(delegate);
		this.request = delegate.getRequest();
	}


	/**
	 * Creates an exchange that reads the given bytes as its request body.
	 * @param exchange the current exchange
	 * @param body the request body
	 * @param response the response to use, for example a capturing decorator, or {@code null} to keep the exchange's
	 * @return the new exchange
	 */
	static ServerWebExchange of(ServerWebExchange exchange, byte[] body,
			@Nullable ServerHttpResponse response) {
		ServerWebExchange.Builder builder = exchange.mutate().request(withBody(exchange.getRequest(), body));
		if (response != null) {
			builder.response(response);
		}
		return new CachedBodyExchange(builder.build());
	}

	@Override
	public ServerHttpRequest getRequest() {
		return this.request;
	}

	@Override
	public Mono<MultiValueMap<String, String>> getFormData() {
		Mono<MultiValueMap<String, String>> formData = this.formData;
		if (formData == null) {
			// Two callers may both get here; each Mono decodes the same copy, so either is correct.
			formData = readIfCompatible(formReader.canRead(FORM_DATA_TYPE, contentType()),
					() -> formReader.readMono(FORM_DATA_TYPE, this.request, Map.of()));
			this.formData = formData;
		}
		return formData;
	}

	@Override
	public Mono<MultiValueMap<String, Part>> getMultipartData() {
		Mono<MultiValueMap<String, Part>> multipartData = this.multipartData;
		if (multipartData == null) {
			multipartData = readIfCompatible(multipartReader.canRead(MULTIPART_DATA_TYPE, contentType()),
					() -> multipartReader.readMono(MULTIPART_DATA_TYPE, this.request, Map.of()));
			this.multipartData = multipartData;
		}
		return multipartData;
	}

	private MediaType contentType() {
		MediaType contentType = this.request.getHeaders().getContentType();
		return (contentType != null) ? contentType : MediaType.APPLICATION_OCTET_STREAM;
	}

	@SuppressWarnings("unchecked")
	private static <T> Mono<MultiValueMap<String, T>> readIfCompatible(boolean compatible,
			Supplier<Mono<? extends MultiValueMap<String, ?>>> reader) {
		if (!compatible) {
			return Mono.just(new LinkedMultiValueMap<>());
		}
		return Mono.defer(() -> (Mono<MultiValueMap<String, T>>) reader.get())
			.switchIfEmpty(Mono.fromSupplier(LinkedMultiValueMap::new))
			.cache();
	}

	private static ServerHttpRequest withBody(ServerHttpRequest request, byte[] body) {
		return new ServerHttpRequestDecorator(request) {

			@Override
			public Flux<DataBuffer> getBody() {
				if (body.length == 0) {
					return Flux.empty();
				}
				return Flux.defer(() -> Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(body)));
			}

		};
	}

}
