// Reference row: the harness alone (generator, one active span per 100 calls), no library.
// Its time per call is included in every other row's.
export default {
  name: 'generator',
  async create() {
    let sink = 0;
    return {
      version: '',
      call(params) {
        sink += params.properties.seq;
      },
      async finish() {
        return { version: '', sink };
      },
    };
  },
};
