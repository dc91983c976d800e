"""Renders documents to PDF, in worker processes when there are many (reportlab is pure CPU
work): the pools, their start method and their shutdown when the app stops."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Generator, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from engine import lifeline
from engine.documents import letters as render
from engine.documents.minutes import minutes as render_minutes
from engine.documents.model import Convocation, DecisionLetter, FunderLetter, Minutes
from engine.documents.pack import SessionPack, session_pack
from engine.services.letter_content import Document

# Below this many documents, starting worker processes costs more than it saves.
PARALLEL_FROM = 64
_CHUNK = 8


def _render(document: Document) -> bytes:
    if isinstance(document, DecisionLetter):
        return render.decision_letter(document)
    if isinstance(document, FunderLetter):
        return render.funder_letter(document)
    if isinstance(document, Convocation):
        return render.convocation(document)
    if isinstance(document, SessionPack):
        return session_pack(document)
    return render_minutes(document)


def _render_chunk(documents: Sequence[Document]) -> list[bytes]:
    return [_render(d) for d in documents]


def render_workers() -> int:
    """One rendering process per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _pool_context() -> multiprocessing.context.BaseContext:
    # Never fork the server itself (its threads may hold locks): workers come from a fresh
    # process that has imported the renderer once (forkserver), or are spawned.
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")


# The pools rendering right now, shut down when the app stops (api/main.py lifespan).
_POOLS: set[ProcessPoolExecutor] = set()
_POOLS_LOCK = threading.Lock()


def render_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes that end with this process, even when it is killed (engine/lifeline.py):
    a SIGKILLed server leaves neither workers nor forkserver nor resource tracker behind."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_pool_context(),
        initializer=lifeline.start_watching,
        initargs=(lifeline.Parent.current(),),
    )


def stop_render_workers() -> None:
    """End the workers of the pools still rendering (the app stopping while a close runs): they
    finish the chunk they hold; the chunks not started are rendered by the close itself."""
    with _POOLS_LOCK:
        pools = list(_POOLS)
    for pool in pools:
        pool.shutdown(wait=True, cancel_futures=True)


class Renderer:
    """Renders the documents of one production run, batch after batch, its worker processes
    started when a batch first needs them and kept until `close`: starting a pool costs about
    half a second, once per run rather than once per batch."""

    def __init__(self, workers: int | None = None, parallel_from: int = PARALLEL_FROM) -> None:
        self.workers = render_workers() if workers is None else workers
        self.parallel_from = parallel_from
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            with _POOLS_LOCK:
                _POOLS.discard(self._pool)
            self._pool = None

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = render_pool(self.workers)
            with _POOLS_LOCK:
                _POOLS.add(self._pool)
        return self._pool

    def render(self, documents: Iterable[Document]) -> Generator[bytes, None, None]:
        """The PDF of each document, in order. Rendering is pure CPU work (reportlab): with many
        documents and several cores it runs in worker processes, and the PDFs come back as they
        are ready, so the caller stores the first ones while the next are being rendered.
        Documents are rendered with `invariant=True`: the bytes are the same whichever process
        renders them."""
        documents = list(documents)
        if self.workers < 2 or len(documents) < self.parallel_from:
            yield from _render_here(documents)
            return
        chunks: list[list[Document]] = []
        for document in documents:
            # Long minutes go alone: started first, they do not hold back the letters after them.
            if isinstance(document, Minutes) or not chunks or len(chunks[-1]) >= _CHUNK:
                chunks.append([])
            chunks[-1].append(document)
            if isinstance(document, Minutes):
                chunks.append([])
        chunks = [chunk for chunk in chunks if chunk]
        first = sorted(range(len(chunks)), key=lambda i: not isinstance(chunks[i][0], Minutes))
        try:
            pool = self._started()
            futures = {i: pool.submit(_render_chunk, chunks[i]) for i in first}
        except RuntimeError:  # the pool was shut down (the app stopping): render here
            self.close()
            yield from _render_here(documents)
            return
        try:
            for index in range(len(chunks)):
                future = futures[index]
                # Caught up with the workers: render the next chunk here rather than wait for it.
                if future.cancel():
                    yield from _render_chunk(chunks[index])
                    continue
                try:
                    pdfs = future.result()
                except BrokenProcessPool:  # a worker died (killed, out of memory): carry on here
                    self.close()
                    pdfs = _render_chunk(chunks[index])
                yield from pdfs
        finally:
            # Also when the caller gives up half-way (an error): drop what is not rendered yet.
            for future in futures.values():
                future.cancel()


def _render_here(documents: list[Document]) -> Generator[bytes, None, None]:
    # The convocations of one agenda share one pack (the same object): rendered once.
    packs: dict[int, bytes] = {}
    for document in documents:
        if isinstance(document, SessionPack):
            if id(document) not in packs:
                packs[id(document)] = _render(document)
            yield packs[id(document)]
        else:
            yield _render(document)


def render_documents(
    documents: Iterable[Document], workers: int | None = None, parallel_from: int = PARALLEL_FROM
) -> Generator[bytes, None, None]:
    """The PDF of each document, in order (`Renderer.render`), with worker processes of its own."""
    with Renderer(workers, parallel_from) as renderer:
        yield from renderer.render(documents)
