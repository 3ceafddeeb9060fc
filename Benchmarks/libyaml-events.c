/* The parse limit for planrun's benchmarks: pull every libyaml event from a file and count them.
 *
 * Nothing is built from the events, so the time of this whole process is the least any parser on
 * libyaml can take for the same file; `planrun validate` is measured against it (issue 2: at most
 * 3x). Prints the event count; exits 1 on a YAML error (with libyaml's message) and 2 on usage or
 * I/O errors.
 *
 * Built by Benchmarks/run: cc -O2 -o BUILD/libyaml-events libyaml-events.c $(pkg-config --cflags --libs yaml-0.1)
 */
#include <stdio.h>
#include <yaml.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE.yaml\n", argv[0]);
        return 2;
    }
    FILE *file = fopen(argv[1], "rb");
    if (file == NULL) {
        perror(argv[1]);
        return 2;
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        fprintf(stderr, "cannot initialize libyaml\n");
        return 2;
    }
    yaml_parser_set_input_file(&parser, file);

    unsigned long count = 0;
    int status = 0;
    for (;;) {
        yaml_event_t event;
        if (!yaml_parser_parse(&parser, &event)) {
            fprintf(stderr, "%s:%lu:%lu: %s\n", argv[1], (unsigned long)parser.problem_mark.line + 1,
                    (unsigned long)parser.problem_mark.column + 1,
                    parser.problem ? parser.problem : "yaml error");
            status = 1;
            break;
        }
        count++;
        int done = event.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&event);
        if (done) break;
    }
    yaml_parser_delete(&parser);
    fclose(file);
    if (status == 0) printf("%lu events\n", count);
    return status;
}
