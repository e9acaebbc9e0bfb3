from restora.cli import main

main(prog_name="restora")
