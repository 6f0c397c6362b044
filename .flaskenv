FLASK_APP=shoebox
