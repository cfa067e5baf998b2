// What the JS glue needs to know about the module's own memory: where its static data ends.

/** First byte after the module's static data: the JS allocator hands out memory from here. */
export function heap_base(): usize {
  return __heap_base;
}
