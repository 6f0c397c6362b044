"""Places: where a viewer's photos were taken (countries and cities), read through the viewer's scope.

The reverse geocoder that fills a photo's place is an analysis model (`shoebox.ai.places`); this package reads
what it stored. A photo's place as the API shows it is shaped in `shoebox.serializers.place_of`.
"""
